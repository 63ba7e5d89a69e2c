"""Show the document's ARPAbet phones in IPA, the notation learners meet in dictionaries."""

from __future__ import annotations

from collections.abc import Iterable

# The usual General American symbol of each ARPAbet phone (stress already removed by the daemon).
ARPABET_TO_IPA: dict[str, str] = {
    "AA": "ɑ", "AE": "æ", "AH": "ʌ", "AO": "ɔ", "AW": "aʊ", "AY": "aɪ", "B": "b", "CH": "tʃ", "D": "d",
    "DH": "ð", "EH": "ɛ", "ER": "ɝ", "EY": "eɪ", "F": "f", "G": "ɡ", "HH": "h", "IH": "ɪ", "IY": "i",
    "JH": "dʒ", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "ŋ", "OW": "oʊ", "OY": "ɔɪ", "P": "p",
    "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ", "UH": "ʊ", "UW": "u", "V": "v", "W": "w",
    "Y": "j", "Z": "z", "ZH": "ʒ",
}


def to_ipa(phones: Iterable[str]) -> str:
    """``["TH", "IH", "NG", "K"]`` → ``"/θɪŋk/"``; a phone outside ARPAbet is shown as it is."""
    return "/" + "".join(ARPABET_TO_IPA.get(phone.upper().rstrip("012"), phone) for phone in phones) + "/"
