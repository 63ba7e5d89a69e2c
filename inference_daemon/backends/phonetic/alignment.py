"""Force-align the target sentence's phones to the recording, with the retries that make it robust.

PocketSphinx aligns in two passes (words, then phones and states). The second pass sometimes fails
when the first pass starts with an empty ``<s>`` segment; the sentence is then aligned again with an
explicit leading ``<sil>``, then with wide beams. When no try reaches the end of the sentence (the
learner stopped early or skipped words), the longest aligned prefix is returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pocketsphinx

from inference_daemon.backends.phonetic.decoders import (
    WORD_PREFIX,
    DecoderSet,
    ensure_pronunciation,
    fresh_features,
)

log = logging.getLogger(__name__)

# Text put before the sentence on each try, in order.
_LEADING_TEXTS = ("", "<sil> ")


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
    phones: list[AlignedPhone]

    @property
    def start(self) -> int:
        return self.phones[0].start

    @property
    def end(self) -> int:
        return self.phones[-1].end


def _run_two_passes(decoder: pocketsphinx.Decoder, text: str, raw: bytes) -> list[AlignedWord]:
    fresh_features(decoder)
    decoder.set_align_text(text)
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    decoder.set_alignment()
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    return [
        AlignedWord([AlignedPhone(p.name, p.start, p.duration, p.score) for p in word])
        for word in decoder.get_alignment()
        if word.name.startswith(WORD_PREFIX)
    ]


def _matching_prefix(words: list[AlignedWord], word_phones: list[list[str]]) -> list[AlignedWord]:
    prefix = []
    for aligned, phones in zip(words, word_phones, strict=False):
        if [p.phone for p in aligned.phones] != phones:
            break
        prefix.append(aligned)
    return prefix


def align(decoders: DecoderSet, raw: bytes, word_phones: list[list[str]]) -> list[AlignedWord]:
    """Align each word's phones (ARPAbet, no stress) to 16 kHz 16-bit audio.

    Returns all words when possible, otherwise the longest prefix that any try aligned (maybe empty).
    """
    best: list[AlignedWord] = []
    for attempt, decoder in enumerate(decoders.aligners()):
        keys = [ensure_pronunciation(decoder, phones) for phones in word_phones]
        for leading in _LEADING_TEXTS:
            try:
                words = _matching_prefix(_run_two_passes(decoder, leading + " ".join(keys), raw), word_phones)
            except RuntimeError as exc:
                log.debug("alignment try failed (beams %d, lead %r): %s", attempt, leading, exc)
                continue
            if len(words) == len(word_phones):
                return words
            log.debug("alignment try reached %d of %d words", len(words), len(word_phones))
            if len(words) > len(best):
                best = words
    return best
