"""The ARPAbet phone set that every backend and the feedback document use, without stress marks.

The feedback document lists expected and heard phones in these 39 symbols; PocketSphinx's
dictionary and acoustic model use the same set.
"""

from __future__ import annotations

ARPABET_PHONES: tuple[str, ...] = (
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
    "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH",
    "UH", "UW", "V", "W", "Y", "Z", "ZH",
)  # fmt: skip

# The vowels: the phones that make a syllable (CMUdict marks each with a stress digit).
VOWELS: frozenset[str] = frozenset(
    {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
)


def strip_stress(phone: str) -> str:
    """The phone without its CMUdict stress digit: ``"AH0"`` becomes ``"AH"``."""
    return phone.rstrip("012")
