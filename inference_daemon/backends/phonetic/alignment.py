"""Force-align the target sentence to the recording: which words were read, in which pronunciation, where.

Two steps. A word pass decodes the audio with a grammar built from the sentence: every word may be
said in any of its dictionary pronunciations (``word(2)`` variants), so a valid variant is never
judged against the wrong phones. The grammar first requires every word in order; when no path reaches
the end (the learner stopped early or skipped words), a second grammar lets words be skipped or the
reading stop early at a cost, and the words its best path goes through are the words that were read.
Skippable words are only the fallback: on learner speech (speechocean762) a grammar that always
allows skipping drops many words that were read with an accent (speaker-CV word r fell from 0.44 to
0.34). The beams widen when a pass fails, and a last aligner drops the filler words
(:data:`~.decoders.FILLERLESS`). With skippable words every aligner is tried and the one that found
most words wins: the first that finds any may have stopped early, a filler loop swallowing the
words after a skip (espeak-ng en-gb skipping "banana and": "a computer at the hotel" all missing).
A phone pass then aligns the phones of
the words found (PocketSphinx's sub-word alignment), with the retries that keep it from failing:
an explicit leading ``<sil>``, then wide beams.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pocketsphinx

from inference_daemon.backends.phonetic.decoders import (
    WORD_PREFIX,
    DecoderSet,
    Transition,
    activate_grammar,
    decode,
    ensure_pronunciation,
)

log = logging.getLogger(__name__)

# Prior probability of skipping a word in the fallback grammar: low, so that a word read badly is
# still aligned (and judged) rather than declared missing; checked on espeak readings that stop
# early or skip a word.
SKIP_PROBABILITY = 0.02
# Prior probability of stopping before the end: paid once however many words are left unread, so
# that a reading that stops early is not explained by words stretched over its last syllables.
STOP_PROBABILITY = 0.02
_GRAMMAR = "sentence"
# Text put before the found words on each phone-pass retry, in order.
_LEADING_TEXTS = ("", "<sil> ")

Pronunciations = Sequence[Sequence[str]]


@dataclass(frozen=True)
class AlignedPhone:
    """One expected phone as aligned: frames are 10 ms, ``score`` is the raw log score (base 1.0001)."""

    phone: str
    start: int
    frames: int
    score: int

    @property
    def end(self) -> int:
        return self.start + self.frames


@dataclass(frozen=True)
class AlignedWord:
    """A word that was read: its position in the sentence and the phones of the pronunciation heard."""

    index: int
    phones: list[AlignedPhone]

    @property
    def start(self) -> int:
        return self.phones[0].start

    @property
    def end(self) -> int:
        return self.phones[-1].end

    @property
    def pronunciation(self) -> list[str]:
        return [phone.phone for phone in self.phones]


def _activate_grammar(decoder: pocketsphinx.Decoder, keys: list[list[str]], skippable: bool) -> None:
    """A left-to-right grammar: state i -> i+1 by any pronunciation of word i, or (when skippable) by
    skipping it; from every inner state straight to the end by stopping early."""
    final = len(keys)
    transitions: list[Transition] = []
    for state, word_keys in enumerate(keys):
        transitions.extend((state, state + 1, 1.0, key) for key in word_keys)
        if skippable:
            transitions.append((state, state + 1, SKIP_PROBABILITY))
            if 0 < state < final - 1:
                transitions.append((state, final, STOP_PROBABILITY))
    activate_grammar(decoder, _GRAMMAR, final, transitions)


def _words_found(decoder: pocketsphinx.Decoder, keys: list[list[str]]) -> list[tuple[int, str]]:
    """(sentence position, dictionary word) of each word the last pass decoded, in order."""
    if decoder.hyp() is None:
        return []
    found = []
    position = 0
    for segment in decoder.seg():
        if not segment.word.startswith(WORD_PREFIX):
            continue
        while position < len(keys) and segment.word not in keys[position]:
            position += 1
        if position == len(keys):
            break
        found.append((position, segment.word))
        position += 1
    return found


def _phone_alignment(decoder: pocketsphinx.Decoder) -> list[list[AlignedPhone]]:
    return [
        [AlignedPhone(p.name, p.start, p.duration, p.score) for p in word]
        for word in decoder.get_alignment()
        if word.name.startswith(WORD_PREFIX)
    ]


def _phone_pass_tries(
    decoder: pocketsphinx.Decoder, raw: bytes, words: list[str]
) -> Iterator[list[list[AlignedPhone]]]:
    """Phone alignments of the found words: straight from the word pass, then re-aligned as text."""
    try:
        decoder.set_alignment()
        decode(decoder, raw)
        yield _phone_alignment(decoder)
    except RuntimeError as exc:
        log.debug("sub-word alignment after the grammar pass failed: %s", exc)
    for leading in _LEADING_TEXTS:
        try:
            decoder.set_align_text(leading + " ".join(words))
            decode(decoder, raw)
            decoder.set_alignment()
            decode(decoder, raw)
            yield _phone_alignment(decoder)
        except RuntimeError as exc:
            log.debug("alignment retry (lead %r) failed: %s", leading, exc)


def _align_found(
    decoder: pocketsphinx.Decoder, raw: bytes, found: list[tuple[int, str]]
) -> list[AlignedWord] | None:
    expected = [word[len(WORD_PREFIX) :].upper().split("_") for _, word in found]
    for phones in _phone_pass_tries(decoder, raw, [word for _, word in found]):
        if [[p.phone for p in word] for word in phones] == expected:
            return [AlignedWord(index, word) for (index, _), word in zip(found, phones, strict=True)]
    return None


def _dictionary_words(decoder: pocketsphinx.Decoder, pronunciations: Pronunciations) -> list[str]:
    return list(dict.fromkeys(ensure_pronunciation(decoder, list(phones)) for phones in pronunciations))


@dataclass(frozen=True)
class Alignment:
    """The words that were read, in order, and whether only the last-resort aligner (no fillers) could
    fit them: then the recording hardly fits the sentence, a hint that something else was read."""

    words: list[AlignedWord]
    forced: bool = False


def align(decoders: DecoderSet, raw: bytes, pronunciations: Sequence[Pronunciations]) -> Alignment:
    """Align 16 kHz 16-bit audio to a sentence given, per word, its pronunciations (ARPAbet, no stress):
    the words that were read (all of them when possible; maybe none)."""
    for decoder in decoders.aligners():
        aligned = _word_pass(decoder, raw, pronunciations, skippable=False)
        if aligned:
            return Alignment(aligned, forced=decoders.is_last_resort(decoder))
    best: list[AlignedWord] = []
    for decoder in decoders.aligners():
        aligned = _word_pass(decoder, raw, pronunciations, skippable=True) or []
        if len(aligned) > len(best):
            best = aligned
    return Alignment(best)


def _word_pass(decoder: pocketsphinx.Decoder, raw: bytes, pronunciations: Sequence[Pronunciations],
               skippable: bool) -> list[AlignedWord] | None:
    keys = [_dictionary_words(decoder, word) for word in pronunciations]
    _activate_grammar(decoder, keys, skippable)
    decode(decoder, raw)
    found = _words_found(decoder, keys)
    log.debug("word pass (skippable=%s) found %d of %d words", skippable, len(found), len(keys))
    return _align_found(decoder, raw, found) if found else None
