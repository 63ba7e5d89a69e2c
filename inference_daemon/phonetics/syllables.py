"""Write a word split into syllables with the stressed one in capitals ("ba-NA-na"), for stress advice.

A learner reads spelling, not phones, so the advice shows the word's own letters. English spelling
does not mark syllables; this splits it the way dictionaries for learners do in the common case:
each group of vowel letters is a syllable's nucleus (a final silent "e" is not), a single consonant
between two nuclei starts the next syllable (ba-na-na), two or more are split after the first
(com-pu-ter) unless they spell one sound ("th", "sh", "ch", "ph", "ck", "ng", "wh"), and a final
"-le" takes the consonant before it (ta-ble). When the vowel
groups do not match the number of syllables heard ("idea": two groups, three syllables), the split
would mislead, and :func:`stress_shape` says so by returning ``None``.
"""

from __future__ import annotations

import itertools
import re

_VOWEL_LETTERS = "aeiouy"
# Consonant letters that spell one sound and so stay in one syllable.
_DIGRAPHS = ("th", "sh", "ch", "ph", "ck", "ng", "wh", "gh", "qu")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def ordinal(index: int) -> str:
    """"first" for syllable 0, "second" for 1, ...; digits past the eighth."""
    return _ORDINALS[index] if 0 <= index < len(_ORDINALS) else f"{index + 1}th"


def _nuclei(word: str) -> list[tuple[int, int]]:
    """Start and end of each group of vowel letters ("y" only after a consonant), silent final "e" left out."""
    groups = []
    for match in re.finditer(r"[aeiouy]+", word):
        start, end = match.span()
        if word[start] == "y" and start == 0:  # "yes": y starts the syllable as a consonant
            if end - start == 1:
                continue
            start += 1
        groups.append((start, end))
    final_e = len(groups) > 1 and groups[-1] == (len(word) - 1, len(word)) and word.endswith("e")
    if final_e and not word.endswith(("le", "ee")):  # "make", "ride"; "table", "agree" keep theirs
        groups.pop()
    return groups


def syllable_spelling(word: str, syllables: int) -> list[str] | None:
    """The letters of ``word`` split into ``syllables`` parts, or ``None`` when the spelling's vowel
    groups do not match that count (or the word is not plain letters)."""
    lower = word.lower()
    if not lower.isalpha():
        return None
    nuclei = _nuclei(lower)
    if len(nuclei) != syllables or syllables < 2:
        return None
    cuts = []
    for (_, end), (start, _) in itertools.pairwise(nuclei):
        consonants = lower[end:start]
        if start == len(lower) - 1 and lower.endswith("le") and len(consonants) >= 2:
            cuts.append(start - 2)  # "ta-ble", "lit-tle": the consonant before a final "le" goes with it
        elif len(consonants) <= 1 or consonants in _DIGRAPHS:
            cuts.append(end)
        else:
            cuts.append(end + 1)
    bounds = [0, *cuts, len(word)]
    return [word[a:b] for a, b in itertools.pairwise(bounds)]


def stress_shape(word: str, syllables: int, stressed: int) -> str | None:
    """``word`` as "ba-NA-na" with syllable ``stressed`` in capitals; ``None`` when it cannot be split."""
    parts = syllable_spelling(word, syllables)
    if parts is None or not 0 <= stressed < len(parts):
        return None
    return "-".join(part.upper() if i == stressed else part.lower() for i, part in enumerate(parts))
