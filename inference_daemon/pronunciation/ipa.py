"""Translate between IPA, as phoneme recognisers and espeak-ng write it, and the ARPAbet of the feedback.

The grapheme-to-phoneme fallback reads espeak-ng's IPA with :func:`ipa_to_arpabet`; a backend whose
model emits IPA phones maps the expected ARPAbet phones onto its own inventory with
:func:`arpabet_to_ipa` and what it heard back with :func:`ipa_to_arpabet`.

Conventions: stress marks, length marks, tie bars and unknown diacritics carry no ARPAbet
distinction and are dropped; whitespace, ``_``, ``.`` and ``|`` separate phones. A flap ``ɾ`` or a
glottal stop ``ʔ`` is read as ``T`` (CMUdict writes "water" and "button" with ``T``), yet both are
listed among the IPA variants of the ARPAbet phones they can realise.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from inference_daemon.pronunciation.arpabet import ARPABET_PHONES, strip_stress

logger = logging.getLogger(__name__)

_TIE_BAR = "\u0361"

# The IPA phones that realise each ARPAbet phone, the usual General American symbol first.
# Affricates and diphthongs are also accepted with a tie bar (added below).
_IPA_VARIANTS: dict[str, tuple[str, ...]] = {
    "AA": ("ɑ", "ɑː", "ɒ", "ɒː"),
    "AE": ("æ", "a", "æː"),
    "AH": ("ʌ", "ə", "ɐ"),
    "AO": ("ɔ", "ɔː", "o", "oː"),
    "AW": ("aʊ", "ɑʊ", "æʊ"),
    "AY": ("aɪ", "ɑɪ", "ʌɪ"),
    "B": ("b",),
    "CH": ("tʃ", "ʧ"),
    "D": ("d", "ɾ"),
    "DH": ("ð",),
    "EH": ("ɛ", "e", "ɛː"),
    "ER": ("ɝ", "ɚ", "ɜː", "ɜ", "ɝː", "ɹ̩"),
    "EY": ("eɪ", "ei"),
    "F": ("f",),
    "G": ("ɡ", "g"),
    "HH": ("h", "ɦ"),
    "IH": ("ɪ", "ᵻ", "ɨ"),
    "IY": ("i", "iː"),
    "JH": ("dʒ", "ʤ"),
    "K": ("k",),
    "L": ("l", "ɫ"),
    "M": ("m",),
    "N": ("n",),
    "NG": ("ŋ",),
    "OW": ("oʊ", "əʊ", "ou"),
    "OY": ("ɔɪ", "oɪ"),
    "P": ("p",),
    "R": ("ɹ", "r", "ɻ"),
    "S": ("s",),
    "SH": ("ʃ",),
    "T": ("t", "ɾ", "ʔ"),
    "TH": ("θ",),
    "UH": ("ʊ",),
    "UW": ("u", "uː", "ʉ", "ʉː"),
    "V": ("v",),
    "W": ("w", "ʍ"),
    "Y": ("j",),
    "Z": ("z",),
    "ZH": ("ʒ",),
}

# Sequences that stand for something other than their parts: syllabic consonants, r-coloured
# vowels and the centring diphthongs of non-rhotic accents. Written without length marks.
_IPA_SEQUENCES: dict[str, tuple[str, ...]] = {
    "n̩": ("AH", "N"),
    "m̩": ("AH", "M"),
    "l̩": ("AH", "L"),
    "ɫ̩": ("AH", "L"),
    "ɜɹ": ("ER",),
    "ɝɹ": ("ER",),
    "ɚɹ": ("ER",),
    "ɪə": ("IH", "R"),
    "eə": ("EH", "R"),
    "ɛə": ("EH", "R"),
    "ʊə": ("UH", "R"),
}

# Where an IPA phone realises more than one ARPAbet phone, the one it is read as.
_PREFERRED_READING: dict[str, str] = {"ɾ": "T"}

# Marks that carry no ARPAbet distinction: stress, length, tie bars, joiners.
_IGNORED = dict.fromkeys(map(ord, "ˈˌ'ːˑ\u0361\u035c\u200d\u200c‿"))
_PHONE_SEPARATORS = re.compile(r"[\s_.|]+")


def _canonical(ipa: str) -> str:
    """Decomposed, without the marks that do not matter: how keys and input are compared."""
    return unicodedata.normalize("NFD", ipa).translate(_IGNORED)


def _with_tie_bars(variants: tuple[str, ...]) -> tuple[str, ...]:
    tied = tuple(v[0] + _TIE_BAR + v[1:] for v in variants if len(v) == 2 and v[1] != "ː")
    return variants + tied


ARPABET_TO_IPA: dict[str, tuple[str, ...]] = {
    phone: _with_tie_bars(variants) for phone, variants in _IPA_VARIANTS.items()
}


def _build_reading_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for phone, variants in _IPA_VARIANTS.items():
        for variant in variants:
            key = _canonical(variant)
            reading = _PREFERRED_READING.get(key, phone)
            table[key] = (reading,)
    table.update({_canonical(ipa): phones for ipa, phones in _IPA_SEQUENCES.items()})
    return table


_READING = _build_reading_table()
_LONGEST_KEY = max(map(len, _READING))


def ipa_to_arpabet(ipa: str) -> list[str]:
    """The ARPAbet phones of an IPA transcription, reading the longest known sequence first.

    Symbols with no ARPAbet counterpart (for example a lone aspiration mark) are skipped.
    """
    phones: list[str] = []
    for chunk in _PHONE_SEPARATORS.split(_canonical(ipa)):
        position = 0
        while position < len(chunk):
            for length in range(min(_LONGEST_KEY, len(chunk) - position), 0, -1):
                reading = _READING.get(chunk[position : position + length])
                if reading is not None:
                    phones.extend(reading)
                    position += length
                    break
            else:
                logger.debug("No ARPAbet phone for IPA symbol %r in %r", chunk[position], ipa)
                position += 1
    return phones


def arpabet_to_ipa(phone: str) -> list[str]:
    """The IPA phones that realise an ARPAbet phone (stress ignored), the preferred one first."""
    base = strip_stress(phone.upper())
    if base not in ARPABET_TO_IPA:
        raise ValueError(f"{phone!r} is not one of the {len(ARPABET_PHONES)} ARPAbet phones")
    return list(ARPABET_TO_IPA[base])
