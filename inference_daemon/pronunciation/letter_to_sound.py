"""Guess a pronunciation from spelling alone, for words no dictionary knows and where espeak-ng is missing.

English spelling is irregular, so these rules are rough: they read common digraphs (th, sh, ch,
ph, ck, ng, ee, oo, ea, ai, ...), a silent final e that lengthens the vowel before it, soft c and
g, and r-coloured vowels. What they promise is a plausible ARPAbet sequence for every word that
has a letter, so that no target word is left without phones to align.
"""

from __future__ import annotations

import re

_CONSONANT = "[b-df-hj-np-tv-z]"

# (pattern, phones), tried in order at each position; the first that matches there wins.
# Patterns may look behind and ahead; ``$`` is the end of the word.
_RULE_TABLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tion", ("SH", "AH", "N")),
    ("sion", ("ZH", "AH", "N")),
    ("ture", ("CH", "ER")),
    ("ous$", ("AH", "S")),
    ("eigh", ("EY",)),
    ("augh", ("AO",)),
    ("ough", ("AO",)),
    ("igh", ("AY",)),
    ("tch", ("CH",)),
    ("dge", ("JH",)),
    ("sch", ("S", "K")),
    ("^kn", ("N",)),
    ("^wr", ("R",)),
    ("^ps", ("S",)),
    ("^gh", ("G",)),
    ("gh", ()),
    ("mb$", ("M",)),
    ("ph", ("F",)),
    ("sh", ("SH",)),
    ("ch", ("CH",)),
    ("th", ("TH",)),
    ("wh", ("W",)),
    ("ck", ("K",)),
    ("ng", ("NG",)),
    ("n(?=k)", ("NG",)),
    ("qu", ("K", "W")),
    (f"(?<={_CONSONANT})le$", ("AH", "L")),
    ("ee", ("IY",)),
    ("ea", ("IY",)),
    ("oo", ("UW",)),
    ("a[iy]", ("EY",)),
    ("ei", ("EY",)),
    ("ey$", ("IY",)),
    ("ie$", ("IY",)),
    ("o[iy]", ("OY",)),
    ("ow$", ("OW",)),
    ("o[uw]", ("AW",)),
    ("a[uw]", ("AO",)),
    ("oa", ("OW",)),
    ("ew", ("UW",)),
    ("ue$", ("UW",)),
    ("ar(?![aeiouy])", ("AA", "R")),
    ("[eiu]r(?![aeiouy])", ("ER",)),
    ("or(?![aeiouy])", ("AO", "R")),
    # A vowel before "-tion", or before one consonant and a final silent e, is long:
    # "nation", "motion", "make", "time", "home".
    ("a(?=tion)", ("EY",)),
    ("o(?=tion)", ("OW",)),
    (f"a(?={_CONSONANT}e$)", ("EY",)),
    (f"e(?={_CONSONANT}e$)", ("IY",)),
    (f"i(?={_CONSONANT}e$)", ("AY",)),
    (f"o(?={_CONSONANT}e$)", ("OW",)),
    (f"u(?={_CONSONANT}e$)", ("UW",)),
    ("(?<=[a-z]{2})e$", ()),
    ("^y", ("Y",)),
    (f"(?<=^{_CONSONANT})y$", ("AY",)),
    ("y$", ("IY",)),
    ("y", ("IH",)),
    ("a", ("AE",)),
    ("e", ("EH",)),
    ("i", ("IH",)),
    ("o", ("AA",)),
    ("u", ("AH",)),
    ("(?<=c)c(?=[eiy])", ("S",)),
    (f"({_CONSONANT})(?<=\\1\\1)", ()),  # the second of a doubled consonant is silent
    ("c(?=[eiy])", ("S",)),
    ("c", ("K",)),
    ("g(?=[eiy])", ("JH",)),
    ("g", ("G",)),
    ("^x", ("Z",)),
    ("x", ("K", "S")),
    ("(?<=[bdglmnrv])s$", ("Z",)),
    ("b", ("B",)),
    ("d", ("D",)),
    ("f", ("F",)),
    ("h", ("HH",)),
    ("j", ("JH",)),
    ("k", ("K",)),
    ("l", ("L",)),
    ("m", ("M",)),
    ("n", ("N",)),
    ("p", ("P",)),
    ("q", ("K",)),
    ("r", ("R",)),
    ("s", ("S",)),
    ("t", ("T",)),
    ("v", ("V",)),
    ("w", ("W",)),
    ("z", ("Z",)),
)
_RULES = tuple((re.compile(pattern), phones) for pattern, phones in _RULE_TABLE)

# How a letter is said on its own, for words the rules leave silent ("e", "gh").
LETTER_NAMES: dict[str, tuple[str, ...]] = {
    "a": ("EY",), "b": ("B", "IY"), "c": ("S", "IY"), "d": ("D", "IY"), "e": ("IY",),
    "f": ("EH", "F"), "g": ("JH", "IY"), "h": ("EY", "CH"), "i": ("AY",), "j": ("JH", "EY"),
    "k": ("K", "EY"), "l": ("EH", "L"), "m": ("EH", "M"), "n": ("EH", "N"), "o": ("OW",),
    "p": ("P", "IY"), "q": ("K", "Y", "UW"), "r": ("AA", "R"), "s": ("EH", "S"), "t": ("T", "IY"),
    "u": ("Y", "UW"), "v": ("V", "IY"), "w": ("D", "AH", "B", "AH", "L", "Y", "UW"),
    "x": ("EH", "K", "S"), "y": ("W", "AY"), "z": ("Z", "IY"),
}  # fmt: skip


def letter_to_sound(word: str) -> tuple[str, ...]:
    """ARPAbet phones guessed from the spelling; not empty when the word has an ASCII letter.

    Characters other than ``a``-``z`` (apostrophes, hyphens) are ignored; case does not matter.
    """
    letters = re.sub("[^a-z]", "", word.lower())
    phones: list[str] = []
    position = 0
    while position < len(letters):
        for rule, rule_phones in _RULES:
            match = rule.match(letters, position)
            if match is not None and match.end() > position:
                phones.extend(rule_phones)
                position = match.end()
                break
    if not phones:
        phones = [phone for letter in letters for phone in LETTER_NAMES[letter]]
    return tuple(phones)
