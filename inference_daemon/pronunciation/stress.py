"""Which syllable of a word carries the main stress, from the CMU Pronouncing Dictionary.

The dictionary PocketSphinx ships has its stress digits removed, so the stress of words of two or
more syllables comes from a table built from CMUdict by ``tools/build_stress_table.py``: per word,
the stress digit of each vowel in each pronunciation. A word with pronunciations that put the main
stress on different syllables (``record``: noun RE-cord, verb re-CORD) accepts each of them, since
the sentence alone does not say which is meant.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from inference_daemon.pronunciation.arpabet import VOWELS, strip_stress

STRESS_TABLE_PATH = Path(__file__).with_name("stress_patterns.txt.gz")
PRIMARY = "1"


def vowel_positions(phones: Sequence[str]) -> list[int]:
    """Indices of the vowels (the syllable nuclei) in a pronunciation."""
    return [i for i, phone in enumerate(phones) if strip_stress(phone) in VOWELS]


class StressTable:
    """Stress patterns of the dictionary's words (a word left out is one stressed syllable); loaded
    once, safe to share between threads."""

    _default: ClassVar[StressTable | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, patterns: dict[str, tuple[str, ...]]) -> None:
        self._patterns = patterns

    @classmethod
    def from_file(cls, path: Path) -> StressTable:
        """Read a table (``word 010|100`` per line, gzipped)."""
        patterns: dict[str, tuple[str, ...]] = {}
        for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
            word, found = line.split(" ", 1)
            patterns[word] = tuple(found.split("|"))
        return cls(patterns)

    @classmethod
    def default(cls) -> StressTable:
        """The shipped table, read on first use (about 0.1 s)."""
        with cls._lock:
            if cls._default is None:
                cls._default = cls.from_file(STRESS_TABLE_PATH)
            return cls._default

    def primary_syllables(self, word: str, syllables: int) -> frozenset[int] | None:
        """The syllables (0-based) that may carry the main stress of ``word`` said with ``syllables``
        vowels; ``None`` when the dictionary does not know the word in that many syllables or it has
        fewer than two (nothing to judge)."""
        if syllables < 2:
            return None
        found = frozenset(
            pattern.index(PRIMARY)
            for pattern in self._patterns.get(word.lower(), ())
            if len(pattern) == syllables and PRIMARY in pattern
        )
        return found or None

    def stress_digits(self, word: str, syllables: int) -> str | None:
        """The stress digit of each of the word's ``syllables`` vowels (``banana`` in 3: ``010``,
        ``the`` in 1: ``0``), for showing the pronunciation (a reduced vowel as /ə/), not for judging
        it. One syllable: the dictionary's first form (its citation form: ``the``, ``a``, ``and``
        reduced), ``1`` for a word left out of the table. Two or more: the word's one pattern in that
        many syllables; ``None`` when the dictionary gives none, or several (``record``: RE-cord and
        re-CORD, whose vowels differ too), or does not know the word."""
        found = self._patterns.get(word.lower())
        if found is None:
            return PRIMARY if syllables == 1 else None
        candidates = [pattern for pattern in found if len(pattern) == syllables]
        if syllables == 1 or len(candidates) == 1:
            return candidates[0] if candidates else None
        return None


def shown_stress(tokens: Sequence[str], phones: Sequence[str]) -> str | None:
    """The dictionary's stress digit per vowel of ``phones``, the pronunciation of a word of one
    spoken token (:meth:`StressTable.stress_digits`); ``None`` for words of several tokens ("3rd"),
    whose phones the tokens share out in ways the table cannot follow."""
    if len(tokens) != 1:
        return None
    return StressTable.default().stress_digits(tokens[0], len(vowel_positions(phones)))
