"""Map the 39 ARPAbet phones of the feedback onto a CTC model's own tokens, and its tokens back to ARPAbet.

Phoneme recognisers write IPA (``facebook/wav2vec2-*-espeak-cv-ft``: about 390 multilingual espeak
phones, length marks and diphthongs as single tokens) or ARPAbet (TIMIT and L2-ARCTIC fine-tunes).
Each ARPAbet phone becomes a *unit*: the states it occupies in a CTC path, each state the set of
tokens that count as it. Which IPA symbols realise a phone, and how IPA reads as ARPAbet, comes from
:mod:`inference_daemon.pronunciation.ipa`; this module adds only what is particular to CTC models:
a phone the model has no single token for (a diphthong, an affricate, a rhotic vowel) is spelled as
two tokens (:data:`SPELLED_OUT`), and phones that remain unmatched are reported, not dropped quietly.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from inference_daemon.backends.ctc.forced_align import TokenClass
from inference_daemon.backends.ctc.gop import Unit
from inference_daemon.pronunciation import ARPABET_PHONES, arpabet_to_ipa, ipa_to_arpabet, strip_stress

log = logging.getLogger(__name__)

# A phone that the model has no single token for, as a sequence of phones it does have, in order of
# preference (written in ARPAbet: each piece takes that phone's tokens).
SPELLED_OUT: dict[str, tuple[tuple[str, ...], ...]] = {
    "AW": (("AA", "UH"), ("AE", "UH")),
    "AY": (("AA", "IH"), ("AE", "IH")),
    "EY": (("EH", "IH"), ("EH", "IY")),
    "OW": (("AO", "UH"), ("AH", "UH")),
    "OY": (("AO", "IH"),),
    "CH": (("T", "SH"),),
    "JH": (("D", "ZH"),),
    "ER": (("AH", "R"),),
}

# A model counts as writing ARPAbet when this many of the 39 phones are tokens of its vocabulary.
_ARPABET_VOCABULARY_MIN_PHONES = 30


@dataclass(frozen=True)
class PhoneInventory:
    """A model's tokens seen as ARPAbet phones.

    ``units`` holds every phone the model can express; ``missing`` the ones it cannot (sorted);
    ``blank`` the tokens that mean "no phone" in a CTC path (the blank and any word delimiter);
    ``silent`` those plus the other special tokens; ``readings`` the ARPAbet phones each token reads as.
    """

    notation: str
    units: dict[str, Unit]
    missing: tuple[str, ...]
    blank: TokenClass
    silent: frozenset[int]
    readings: dict[int, tuple[str, ...]]

    def read(self, token_ids: Iterable[int]) -> list[str]:
        """The ARPAbet phones that a sequence of tokens reads as (tokens with no reading are skipped)."""
        return [phone for token_id in token_ids for phone in self.readings.get(token_id, ())]


def build_inventory(vocabulary: Mapping[str, int], blank_ids: Iterable[int],
                    special_ids: Iterable[int] = ()) -> PhoneInventory:
    """The inventory of a model whose tokenizer has this ``vocabulary`` (token → id)."""
    blank = frozenset(blank_ids)
    silent = blank | frozenset(special_ids)
    phone_tokens = {token: token_id for token, token_id in vocabulary.items() if token_id not in silent}
    notation = "arpabet" if _writes_arpabet(phone_tokens) else "ipa"
    readings = {token_id: _reading(token, notation) for token, token_id in phone_tokens.items()}
    single = {phone: _single_token_class(phone, phone_tokens, readings, notation) for phone in ARPABET_PHONES}
    units: dict[str, Unit] = {phone: (tokens,) for phone, tokens in single.items() if tokens}
    for phone, spellings in SPELLED_OUT.items():
        if phone in units:
            continue
        for pieces in spellings:
            if all(single[piece] for piece in pieces):
                units[phone] = tuple(single[piece] for piece in pieces)
                break
    missing = tuple(sorted(set(ARPABET_PHONES) - set(units)))
    unread = sorted(token for token, token_id in phone_tokens.items() if not readings[token_id])
    if unread:
        log.debug("%d tokens read as no ARPAbet phone: %s", len(unread), " ".join(unread))
    return PhoneInventory(notation=notation, units=units, missing=missing, blank=blank, silent=silent,
                          readings={token_id: phones for token_id, phones in readings.items() if phones})


def _writes_arpabet(tokens: Mapping[str, int]) -> bool:
    names = {strip_stress(token.upper()) for token in tokens}
    return len(names & set(ARPABET_PHONES)) >= _ARPABET_VOCABULARY_MIN_PHONES


def _reading(token: str, notation: str) -> tuple[str, ...]:
    if notation == "arpabet":
        name = strip_stress(token.upper())
        return (name,) if name in ARPABET_PHONES else ()
    return tuple(ipa_to_arpabet(token))


def _single_token_class(phone: str, tokens: Mapping[str, int], readings: Mapping[int, tuple[str, ...]],
                        notation: str) -> TokenClass:
    """Tokens that read as exactly this phone, or that are one of its IPA variants (a flap for ``D``)."""
    variants = set() if notation == "arpabet" else {_nfd(v) for v in arpabet_to_ipa(phone)}
    return frozenset(
        token_id for token, token_id in tokens.items()
        if readings[token_id] == (phone,) or _nfd(token) in variants
    )


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)

