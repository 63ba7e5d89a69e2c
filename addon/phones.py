"""Show the document's ARPAbet phones in IPA, the notation learners meet in dictionaries."""

from __future__ import annotations

from collections.abc import Sequence

# The usual General American symbol of each ARPAbet phone (stress already removed by the daemon).
ARPABET_TO_IPA: dict[str, str] = {
    "AA": "ɑ", "AE": "æ", "AH": "ʌ", "AO": "ɔ", "AW": "aʊ", "AY": "aɪ", "B": "b", "CH": "tʃ", "D": "d",
    "DH": "ð", "EH": "ɛ", "ER": "ɝ", "EY": "eɪ", "F": "f", "G": "ɡ", "HH": "h", "IH": "ɪ", "IY": "i",
    "JH": "dʒ", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "ŋ", "OW": "oʊ", "OY": "ɔɪ", "P": "p",
    "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ", "UH": "ʊ", "UW": "u", "V": "v", "W": "w",
    "Y": "j", "Z": "z", "ZH": "ʒ",
}


VOWELS = frozenset({"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"})
# An unstressed AH and ER are the reduced vowels of English (the first and last of "banana", "mother").
REDUCED = {"AH": "ə", "ER": "ɚ"}


def _name(phone: str) -> str:
    """The ARPAbet name of a phone as the daemon or a dictionary writes it (any case, stress digit or not)."""
    return phone.upper().rstrip("012")


def _vowel_indices(phones: Sequence[str]) -> list[int]:
    return [i for i, phone in enumerate(phones) if _name(phone) in VOWELS]


def ipa_symbols(phones: Sequence[str], stress: str | None = None) -> list[str]:
    """One IPA symbol per phone. ``stress``: the dictionary's digit per vowel (``banana`` 010, as the
    daemon sends ``expected_stress``); an unstressed AH is /ə/ and ER /ɚ/. Without it, or when it does
    not fit the phones, AH is /ʌ/ and ER /ɝ/ as in a stressed syllable."""
    vowels = _vowel_indices(phones)
    unstressed = set()
    if stress is not None and len(stress) == len(vowels):
        unstressed = {position for position, digit in zip(vowels, stress) if digit == "0"}
    symbols = []
    for i, phone in enumerate(phones):
        name = _name(phone)
        symbols.append(REDUCED[name] if i in unstressed and name in REDUCED else ARPABET_TO_IPA.get(name, phone))
    return symbols


def to_ipa(phones: Sequence[str], stress: str | None = None) -> str:
    """``["TH", "IH", "NG", "K"]`` → ``"/θɪŋk/"``; a phone outside ARPAbet is shown as it is; see
    :func:`ipa_symbols` for ``stress``."""
    return "/" + "".join(ipa_symbols(phones, stress)) + "/"


def heard_stress(expected_phones: Sequence[str], expected_stress: str | None, heard_phones: Sequence[str],
                 stressed_vowel: int | None) -> str | None:
    """Stress digits for the heard phones: the expected ones when the heard word has as many vowels;
    with the stress heard on another vowel (``stressed_vowel``, an index into the expected phones),
    that vowel stressed and the others not. ``None`` when the two do not line up."""
    expected_vowels = _vowel_indices(expected_phones)
    if (expected_stress is None or len(expected_stress) != len(expected_vowels)
            or len(_vowel_indices(heard_phones)) != len(expected_vowels)):
        return None
    if stressed_vowel is None or stressed_vowel not in expected_vowels:
        return expected_stress
    return "".join("1" if position == stressed_vowel else "0" for position in expected_vowels)
