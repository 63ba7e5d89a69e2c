"""Turn one recording's frame posteriors into evidence about every expected phone: where, how good, what was heard.

Kept apart from the backend so that a calibration tool can extract exactly the evidence that
requests produce. Steps: where a word has several dictionary pronunciations, the
one the recording supports best is chosen; the expected phones are force-aligned (Viterbi); each
word is judged by CTC-GOP over a window reaching from the phone before it to the phone after it;
the greedy decoding is aligned to the expected phones. Phones the model cannot express are kept in
the evidence, marked unscored, with no frames.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from inference_daemon.backends.ctc.forced_align import (
    AlignmentImpossible,
    StateSpan,
    TokenClass,
    state_spans,
    viterbi_path,
)
from inference_daemon.backends.ctc.free_decode import WordHearing, greedy_tokens, hearing_by_word
from inference_daemon.backends.ctc.gop import PhoneGop, Window, WordGop, ctc_log_likelihoods, word_gop
from inference_daemon.backends.ctc.phone_map import PhoneInventory


@dataclass(frozen=True)
class PhoneEvidence:
    """One expected phone. Frames are [start, end); ``scored`` is False when the model lacks the phone
    (then there are no frames and no GOP)."""

    phone: str
    scored: bool
    start: int | None = None
    end: int | None = None
    gop: PhoneGop | None = None


@dataclass(frozen=True)
class WordEvidence:
    """One word: its phones, its frames, the log ratio "word left out" vs "word as expected", and
    what the free decoding heard in it (phones, and insertions as (position, phone))."""

    phones: list[PhoneEvidence]
    start: int | None
    end: int | None
    deletion_margin: float
    heard: list[str] = field(default_factory=list)
    insertions: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    """Evidence for a sentence; ``aligned`` is False when the recording is too short for its phones."""

    words: list[WordEvidence]
    aligned: bool


@dataclass(frozen=True)
class _FlatPhone:
    word: int
    position: int
    phone: str
    states: tuple[TokenClass, ...]


@dataclass(frozen=True)
class _Alignment:
    """The sentence's expressible phones in order, with frames [start, end) from the Viterbi path."""

    phones: list[_FlatPhone]
    spans: list[tuple[int, int]]
    frames: int

    @classmethod
    def of(cls, log_probs: np.ndarray, inventory: PhoneInventory, word_phones: Sequence[Sequence[str]]
           ) -> _Alignment:
        """Raises :class:`AlignmentImpossible` when the recording is too short for the phones."""
        flat = [
            _FlatPhone(w, p, phone, inventory.units[phone])
            for w, phones in enumerate(word_phones)
            for p, phone in enumerate(phones)
            if phone in inventory.units
        ]
        states = [state for item in flat for state in item.states]
        path = viterbi_path(log_probs, states, inventory.blank)
        return cls(flat, _phone_spans(flat, state_spans(path, len(states))), len(log_probs))

    def members(self, word: int) -> list[int]:
        return [i for i, item in enumerate(self.phones) if item.word == word]

    def window(self, members: list[int]) -> tuple[int, int, tuple[TokenClass, ...], tuple[TokenClass, ...]]:
        """Frames from the phone before the word to the phone after it, and those two phones' states."""
        first, last = members[0], members[-1]
        start = self.spans[first - 1][0] if first > 0 else 0
        end = self.spans[last + 1][1] if last + 1 < len(self.phones) else self.frames
        before = self.phones[first - 1].states if first > 0 else ()
        after = self.phones[last + 1].states if last + 1 < len(self.phones) else ()
        return start, end, before, after


def choose_pronunciations(log_probs: np.ndarray, inventory: PhoneInventory,
                          options: Sequence[Sequence[Sequence[str]]]) -> list[list[str]]:
    """Per word, the pronunciation among its options (the usual one first) that the recording supports best.

    "the" may be said with either vowel, "a" as /ə/ or /eɪ/: a learner who says a correct variant
    must not be marked down. Each option is scored by its CTC likelihood over the word's window.
    """
    chosen = [list(word_options[0]) for word_options in options]
    if all(len(word_options) < 2 for word_options in options):
        return chosen
    try:
        alignment = _Alignment.of(log_probs, inventory, chosen)
    except AlignmentImpossible:
        return chosen
    for w, word_options in enumerate(options):
        members = alignment.members(w)
        if len(word_options) < 2 or not members:
            continue
        start, end, before, after = alignment.window(members)
        hypotheses = [
            [*before, *(s for phone in option if phone in inventory.units for s in inventory.units[phone]), *after]
            for option in word_options
        ]
        likelihoods = ctc_log_likelihoods(log_probs[start:end], hypotheses, inventory.blank)
        chosen[w] = list(word_options[int(np.argmax(likelihoods))])
    return chosen


def analyse(log_probs: np.ndarray, inventory: PhoneInventory, word_phones: Sequence[Sequence[str]]) -> Analysis:
    """Evidence for each expected phone (ARPAbet) of each word, from log-posteriors of shape (frames, tokens)."""
    try:
        alignment = _Alignment.of(log_probs, inventory, word_phones)
    except AlignmentImpossible:
        unaligned = [WordEvidence([PhoneEvidence(p, p in inventory.units) for p in phones], None, None, 0.0)
                     for phones in word_phones]
        return Analysis(unaligned, aligned=False)

    decoded = greedy_tokens(log_probs, inventory.silent)
    hearings = hearing_by_word(word_phones, inventory.read(token.token_id for token in decoded))
    flat, spans = alignment.phones, alignment.spans
    words = []
    for w, phones in enumerate(word_phones):
        members = alignment.members(w)
        verdict = _word_verdict(log_probs, inventory, alignment, members, hearings)
        evidence_by_position: dict[int, PhoneEvidence] = {}
        for rank, i in enumerate(members):
            start, end = spans[i]
            evidence_by_position[flat[i].position] = PhoneEvidence(
                phone=flat[i].phone, scored=True, start=start, end=end, gop=verdict.phones[rank],
            )
        evidence = [
            evidence_by_position.get(p, PhoneEvidence(phone, False))
            for p, phone in enumerate(phones)
        ]
        words.append(WordEvidence(
            phones=evidence,
            start=spans[members[0]][0] if members else None,
            end=spans[members[-1]][1] if members else None,
            deletion_margin=verdict.deletion_margin,
            heard=hearings[w].heard,
            insertions=hearings[w].insertions,
        ))
    return Analysis(words, aligned=True)


def _phone_spans(flat: list[_FlatPhone], state_frames: list[StateSpan]) -> list[tuple[int, int]]:
    """Frames [start, end) of each phone: from its first emission to the next phone of its word, or
    to just after its last emission when it ends the word (pauses between words stay outside)."""
    firsts, lasts = [], []
    offset = 0
    for item in flat:
        firsts.append(state_frames[offset].first)
        lasts.append(state_frames[offset + len(item.states) - 1].last)
        offset += len(item.states)
    spans = []
    for i, item in enumerate(flat):
        same_word_follows = i + 1 < len(flat) and flat[i + 1].word == item.word
        spans.append((firsts[i], firsts[i + 1] if same_word_follows else lasts[i] + 1))
    return spans


def _word_verdict(log_probs: np.ndarray, inventory: PhoneInventory, alignment: _Alignment,
                  members: list[int], hearings: list[WordHearing]) -> WordGop:
    """CTC-GOP of a word's phones over the frames from the phone before it to the phone after it.

    Phones the free decoding heard inserted in that stretch are part of every hypothesis.
    """
    if not members:
        return WordGop(phones=[], deletion_margin=0.0)
    start, end, before, after = alignment.window(members)
    flat = alignment.phones
    word = flat[members[0]].word
    scored_positions = [flat[i].position for i in members]
    insertions = [
        (sum(1 for p in scored_positions if p < position), inventory.units[phone])
        for position, phone in hearings[word].insertions
        if phone in inventory.units
    ]
    inserted_before: tuple[TokenClass, ...] = ()
    inserted_after: tuple[TokenClass, ...] = ()
    if members[0] > 0:
        previous = flat[members[0] - 1]
        inserted_before = _inserted_states(inventory, hearings[previous.word], lambda p: p > previous.position)
    if members[-1] + 1 < len(flat):
        following = flat[members[-1] + 1]
        inserted_after = _inserted_states(inventory, hearings[following.word], lambda p: p <= following.position)
    window = Window(before, after, inserted_before, inserted_after, tuple(insertions))
    return word_gop(log_probs[start:end], [flat[i].phone for i in members], inventory.units, inventory.blank, window)


def _inserted_states(inventory: PhoneInventory, hearing: WordHearing, where: Callable[[int], bool]
                     ) -> tuple[TokenClass, ...]:
    """The states of the phones heard inserted in a word at the positions ``where`` accepts."""
    return tuple(
        state
        for position, phone in hearing.insertions
        if where(position) and phone in inventory.units
        for state in inventory.units[phone]
    )
