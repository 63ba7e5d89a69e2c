"""Mapping ARPAbet onto the tokens of CTC phoneme models: IPA variants, spelled-out diphthongs, ARPAbet vocabularies."""

from __future__ import annotations

import pytest

from inference_daemon.backends.ctc.phone_map import build_inventory
from inference_daemon.pronunciation import ARPABET_PHONES

SPECIAL = ["<pad>", "<s>", "</s>", "<unk>"]
# The English part of an espeak-style IPA vocabulary (length marks, diphthongs as single tokens).
ESPEAK_PHONES = [
    "ɑː", "æ", "ʌ", "ə", "ɐ", "ɔː", "aʊ", "aɪ", "b", "tʃ", "d", "ð", "ɛ", "ɜː", "ɚ", "eɪ", "f", "ɡ", "h", "ɪ",
    "ᵻ", "iː", "i", "dʒ", "k", "l", "m", "n", "ŋ", "oʊ", "ɔɪ", "p", "ɹ", "s", "ʃ", "t", "ɾ", "ʔ", "θ", "ʊ", "uː",
    "v", "w", "j", "z", "ʒ", "x",
]


def vocabulary(tokens: list[str]) -> dict[str, int]:
    return {token: index for index, token in enumerate([*SPECIAL, *tokens])}


def ids(vocab: dict[str, int], *tokens: str) -> frozenset[int]:
    return frozenset(vocab[token] for token in tokens)


def test_espeak_vocabulary_covers_every_phone_with_its_variants() -> None:
    vocab = vocabulary(ESPEAK_PHONES)
    inventory = build_inventory(vocab, blank_ids=[0], special_ids=[1, 2, 3])
    assert inventory.notation == "ipa"
    assert inventory.missing == ()
    assert set(inventory.units) == set(ARPABET_PHONES)
    assert inventory.units["IY"] == (ids(vocab, "iː", "i"),)
    assert inventory.units["AH"] == (ids(vocab, "ʌ", "ə", "ɐ"),)
    assert inventory.units["ER"] == (ids(vocab, "ɜː", "ɚ"),)
    assert inventory.units["AY"] == (ids(vocab, "aɪ"),)
    # A flap realises both T and D in American English.
    assert vocab["ɾ"] in inventory.units["T"][0] and vocab["ɾ"] in inventory.units["D"][0]


def test_tokens_read_back_as_arpabet_and_special_tokens_as_nothing() -> None:
    vocab = vocabulary(ESPEAK_PHONES)
    inventory = build_inventory(vocab, blank_ids=[0], special_ids=[1, 2, 3])
    assert inventory.read([vocab["θ"], vocab["ɪ"], 1, vocab["ŋ"], vocab["k"]]) == ["TH", "IH", "NG", "K"]
    assert inventory.read([vocab["x"]]) == []
    assert inventory.silent == frozenset({0, 1, 2, 3})


def test_diphthongs_and_affricates_missing_as_tokens_are_spelled_with_two() -> None:
    tokens = [t for t in ESPEAK_PHONES if t not in {"aɪ", "tʃ", "ɜː", "ɚ"}] + ["a"]
    vocab = vocabulary(tokens)
    inventory = build_inventory(vocab, blank_ids=[0])
    assert inventory.missing == ()
    assert inventory.units["AY"] == (ids(vocab, "ɑː"), ids(vocab, "ɪ", "ᵻ"))
    assert inventory.units["CH"] == (ids(vocab, "t", "ɾ", "ʔ"), ids(vocab, "ʃ"))
    assert inventory.units["ER"] == (ids(vocab, "ʌ", "ə", "ɐ"), ids(vocab, "ɹ"))


def test_phones_the_model_cannot_express_are_reported() -> None:
    tokens = [t for t in ESPEAK_PHONES if t not in {"ʒ", "θ", "dʒ"}]
    inventory = build_inventory(vocabulary(tokens), blank_ids=[0])
    # JH has no token, and cannot be spelled as D + ZH without ZH.
    assert inventory.missing == ("JH", "TH", "ZH")
    assert "JH" not in inventory.units and "D" in inventory.units


@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_arpabet_vocabulary_is_read_as_arpabet(case: type[str]) -> None:
    tokens = [case(phone) for phone in ARPABET_PHONES] + ["|"]
    vocab = vocabulary(tokens)
    inventory = build_inventory(vocab, blank_ids=[0, vocab["|"]])
    assert inventory.notation == "arpabet"
    assert inventory.missing == ()
    assert inventory.units["AA"] == (ids(vocab, case("AA")),)
    assert inventory.read([vocab[case("AA")], vocab[case("SH")], vocab["|"]]) == ["AA", "SH"]
    assert vocab["|"] in inventory.blank
