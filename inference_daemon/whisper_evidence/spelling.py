"""Spell a mispronunciation as a word Whisper can read: "S IH NG K" for "think" is "sink".

Whisper scores texts, not phones, so each competitor of the knowledge base (a phone swapped for a
frequent substitute, a final consonant dropped) needs a spelling. A real word with exactly those
phones is best (Whisper knows how it sounds); otherwise the target's own spelling is edited where
the changed phone is written ("three" with TH->T is "tree", "sat" with AE->EH is "set"), found by
aligning letters to phones with a table of common English spellings.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from inference_daemon.pronunciation import Lexicon

# Common spellings of each phone, the usual one first (the one written for a substitute).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "AA": ("o", "a", "ah", "al", "au"),
    "AE": ("a", "ai"),
    "AH": ("u", "o", "a", "e", "ou", "oo", "i"),
    "AO": ("aw", "o", "au", "ou", "a", "augh", "ough", "al", "oa"),
    "AW": ("ow", "ou"),
    "AY": ("i", "y", "ie", "igh", "ai", "ye", "uy", "ei"),
    "B": ("b", "bb"),
    "CH": ("ch", "tch", "t"),
    "D": ("d", "dd", "ed"),
    "DH": ("th",),
    "EH": ("e", "ea", "a", "ai", "ie"),
    "ER": ("er", "ir", "ur", "or", "ear", "ar", "our", "r", "re"),
    "EY": ("ay", "a", "ai", "ei", "ey", "ea", "eigh"),
    "F": ("f", "ff", "ph", "gh"),
    "G": ("g", "gg", "gu", "gh"),
    "HH": ("h", "wh"),
    "IH": ("i", "y", "e", "ui"),
    "IY": ("ee", "ea", "e", "ie", "ei", "y", "i", "ey"),
    "JH": ("j", "g", "dg", "dge", "ge"),
    "K": ("k", "c", "ck", "ch", "q", "cc"),
    "L": ("l", "ll"),
    "M": ("m", "mm", "mb"),
    "N": ("n", "nn", "kn", "gn"),
    "NG": ("ng", "n"),
    "OW": ("o", "oa", "ow", "oe", "ou", "ough"),
    "OY": ("oy", "oi"),
    "P": ("p", "pp"),
    "R": ("r", "rr", "wr"),
    "S": ("s", "ss", "c", "ce", "sc", "se"),
    "SH": ("sh", "ti", "ci", "s", "ss", "ch"),
    "T": ("t", "tt", "ed"),
    "TH": ("th",),
    "UH": ("oo", "u", "ou"),
    "UW": ("oo", "u", "ue", "ew", "o", "ou", "ui"),
    "V": ("v", "f"),
    "W": ("w", "wh", "u"),
    "Y": ("y", "i"),
    "Z": ("z", "s", "zz", "se", "ze"),
    "ZH": ("s", "si", "g"),
}
_SILENT_LETTER_COST = 0.6
_UNMATCHED_LETTER_COST = 1.0
_EMPTY_PHONE_COST = 1.2
_MAX_CHUNK = 4


def letter_spans(word: str, phones: Sequence[str]) -> list[tuple[int, int]] | None:
    """Which letters of ``word`` write each phone (start, end), by a minimum-cost alignment; letters
    between spans are silent. ``None`` when the word has characters other than letters."""
    word = word.lower()
    if not word.isalpha() or not phones:
        return None
    n, m = len(phones), len(word)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == inf:
                continue
            if j < m and here + _SILENT_LETTER_COST < cost[i][j + 1]:  # a silent letter
                cost[i][j + 1] = here + _SILENT_LETTER_COST
                back[i][j + 1] = (i, j, 0)
            if i == n:
                continue
            if here + _EMPTY_PHONE_COST < cost[i + 1][j]:  # a phone written by no letter of its own ("x")
                cost[i + 1][j] = here + _EMPTY_PHONE_COST
                back[i + 1][j] = (i, j, 1)
            for length in range(1, min(_MAX_CHUNK, m - j) + 1):
                chunk = word[j : j + length]
                price = 0.0 if chunk in SPELLINGS.get(phones[i], ()) else _UNMATCHED_LETTER_COST * length
                if here + price < cost[i + 1][j + length]:
                    cost[i + 1][j + length] = here + price
                    back[i + 1][j + length] = (i, j, 1)
    spans: list[tuple[int, int]] = []
    i, j = n, m
    while (i, j) != (0, 0):
        step = back[i][j]
        assert step is not None
        if step[2]:
            spans.append((step[1], j))
        i, j = step[0], step[1]
    return spans[::-1]


def edited_spelling(word: str, phones: Sequence[str], competitor: Sequence[str], position: int) -> str | None:
    """``word`` with the letters of ``phones[position]`` rewritten for the competitor: the usual
    spelling of its substitute, or nothing when the competitor drops that phone."""
    spans = letter_spans(word, phones)
    if spans is None or position >= len(spans):
        return None
    start, end = spans[position]
    if len(competitor) == len(phones):
        replacement = SPELLINGS.get(competitor[position], (competitor[position].lower(),))[0]
    elif len(competitor) == len(phones) - 1:
        replacement = ""
        if position == len(phones) - 1:  # a dropped final consonant takes its silent letters along
            end = len(word)
    else:
        return None
    edited = word.lower()[:start] + replacement + word.lower()[end:]
    return edited if edited and edited != word.lower() else None


@lru_cache(maxsize=4096)
def competitor_spelling(word: str, phones: tuple[str, ...], competitor: tuple[str, ...], position: int) -> str | None:
    """The text Whisper reads for the competitor: the edited spelling when it is a real word with the
    competitor's phones, else a real word with those phones, else the edited spelling (a non-word)."""
    real = [w for w in Lexicon.default().words_pronounced(competitor) if w.isalpha() and w != word.lower()]
    edited = edited_spelling(word, phones, competitor, position)
    if edited is not None and edited in real:
        return edited
    if real:
        closest_to = edited or word.lower()
        return min(real, key=lambda w: (_edit_distance(w, closest_to), len(w), w))
    return edited


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two spellings (short words: the plain dynamic programme)."""
    row = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (letter != other))
    return row[-1]


def is_real_word(spelling: str) -> bool:
    """Whether the pronouncing dictionary knows the spelling."""
    return bool(Lexicon.default().lookup(spelling))
