"""What the model heard with no target in mind: greedy CTC decoding, aligned to the expected phones by word.

Greedy decoding takes the likeliest token of each frame, merges repeats and drops blanks. The heard
phones are then aligned to the expected ones by edit distance (a vowel for a consonant costs more
than a vowel for a vowel), which names the substitutions, deletions and insertions; the alignment
is cut back into the sentence's words. An inserted phone belongs to the word of the expected phone
before it (vowel epenthesis after a final consonant is the common case), or to the first word when
it comes before everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from inference_daemon.phonetics import phone_info
from inference_daemon.sequence_alignment import align_sequences


@dataclass(frozen=True)
class DecodedToken:
    """One token of the greedy decoding, emitted on frames [first, last]."""

    token_id: int
    first: int
    last: int


@dataclass(frozen=True)
class AlignedPair:
    """One step of the edit-distance alignment: indices into the expected and the heard phones.

    Both set: a match or a substitution; only ``expected``: a deletion; only ``heard``: an insertion.
    """

    expected: int | None
    heard: int | None


@dataclass
class WordHearing:
    """What the free decoding heard inside one word: its phones in order, and which of them were
    insertions, as (position, phone): heard before expected phone ``position``."""

    heard: list[str] = field(default_factory=list)
    insertions: list[tuple[int, str]] = field(default_factory=list)


def greedy_tokens(log_probs: np.ndarray, silent: frozenset[int]) -> list[DecodedToken]:
    """Best token per frame, repeats merged, ``silent`` tokens (blank, word delimiters) dropped."""
    best = np.argmax(log_probs, axis=1)
    tokens: list[DecodedToken] = []
    run_start = 0
    for frame in range(1, len(best) + 1):
        if frame < len(best) and best[frame] == best[run_start]:
            continue
        token_id = int(best[run_start])
        if token_id not in silent:
            tokens.append(DecodedToken(token_id, run_start, frame - 1))
        run_start = frame
    return tokens


# A vowel heard for a consonant (or the reverse) is more likely an insertion next to a deletion.
ACROSS_KIND_SUBSTITUTION_COST = 1.5
GAP_COST = 1.0


def substitution_cost(expected: str, heard: str) -> float:
    """0 for the same phone, 1 within vowels or within consonants, more across them."""
    if expected == heard:
        return 0.0
    return 1.0 if is_vowel(expected) == is_vowel(heard) else ACROSS_KIND_SUBSTITUTION_COST


@cache
def is_vowel(phone: str) -> bool:
    """Whether the ARPAbet phone is a vowel (the phonetics knowledge base says), looked up once."""
    return phone_info(phone).is_vowel


def align_phone_sequences(expected: Sequence[str], heard: Sequence[str]) -> list[AlignedPair]:
    """Minimum edit-cost alignment (:func:`substitution_cost`, gaps 1); ties prefer a substitution."""
    return [AlignedPair(i, j) for i, j in align_sequences(expected, heard, substitution_cost, GAP_COST)]


def hearing_by_word(word_phones: Sequence[Sequence[str]], heard: Sequence[str]) -> list[WordHearing]:
    """Align the heard phones to the whole sentence's expected phones and split the result by word."""
    owner: list[tuple[int, int]] = [(w, p) for w, phones in enumerate(word_phones) for p in range(len(phones))]
    flat_expected = [phone for phones in word_phones for phone in phones]
    hearings = [WordHearing() for _ in word_phones]
    if not hearings:
        return hearings
    word, position = 0, 0
    for pair in align_phone_sequences(flat_expected, heard):
        if pair.expected is not None:
            word, index = owner[pair.expected]
            position = index + 1
        if pair.heard is None:
            continue
        hearings[word].heard.append(heard[pair.heard])
        if pair.expected is None:  # an insertion: before the next expected phone of this word
            hearings[word].insertions.append((position, heard[pair.heard]))
    return hearings
