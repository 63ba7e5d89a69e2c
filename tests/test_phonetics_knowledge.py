"""The phonetics knowledge base describes every phone and refuses inconsistent edits."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from inference_daemon.phonetics import PHONES, phone_info
from inference_daemon.phonetics.advice import GENERIC_PATTERNS
from inference_daemon.phonetics.knowledge import (
    L1_GROUPS,
    KnowledgeBaseError,
    differing_features,
    knowledge_base_path,
    load_knowledge_base,
    main,
    parse_knowledge_base,
)


@pytest.fixture(scope="module")
def raw_data() -> dict[str, Any]:
    return json.loads(knowledge_base_path().read_text(encoding="utf-8"))


def test_there_are_39_distinct_arpabet_phones() -> None:
    assert len(PHONES) == 39
    assert len(set(PHONES)) == 39


@pytest.mark.parametrize("phone", PHONES)
def test_every_phone_has_ipa_example_and_learner_description(phone: str) -> None:
    info = phone_info(phone)
    assert info.arpabet == phone
    assert info.ipa.strip() and info.slashed == f"/{info.ipa}/"
    assert info.example.strip()
    assert len(info.how.split()) >= 6, "the articulation sentence should actually explain something"
    assert info.kind in ("vowel", "consonant")
    if info.kind == "consonant":
        assert isinstance(info.voiced, bool)
        assert info.height is None
    else:
        assert info.voiced is None
        assert info.height in ("high", "mid", "low")
        assert isinstance(info.rounded, bool) and isinstance(info.tense, bool)


def test_voicing_and_place_match_phonetics() -> None:
    assert phone_info("B").voiced and not phone_info("P").voiced
    assert phone_info("TH").place == phone_info("DH").place == "dental"
    assert phone_info("NG").manner == "nasal" and phone_info("NG").place == "velar"
    assert phone_info("UW").rounded and not phone_info("IY").rounded
    assert phone_info("IY").tense and not phone_info("IH").tense


def test_phone_lookup_ignores_case_and_stress_digits() -> None:
    assert phone_info("ah0") == phone_info("AH")
    assert phone_info(" th ").ipa == "θ"
    assert phone_info("ER1").arpabet == "ER"


@pytest.mark.parametrize("unknown", ["AX", "ERR", "", "T H"])
def test_unknown_phone_raises_value_error(unknown: str) -> None:
    with pytest.raises(ValueError, match="ARPAbet"):
        phone_info(unknown)


def test_any_two_phones_differ_in_some_feature() -> None:
    infos = [phone_info(phone) for phone in PHONES]
    for first in infos:
        for second in infos:
            if first is not second:
                assert differing_features(first, second), (first.arpabet, second.arpabet)


def test_knowledge_base_is_loaded_once() -> None:
    assert load_knowledge_base() is load_knowledge_base()


def test_every_l1_group_is_present_with_notes() -> None:
    languages = load_knowledge_base().native_languages
    assert set(L1_GROUPS) <= set(languages)
    for code in L1_GROUPS:
        assert languages[code].name and len(languages[code].notes) >= 5, code


def test_at_least_45_specific_confusions_and_patterns() -> None:
    specific = load_knowledge_base().pattern_ids() - GENERIC_PATTERNS
    assert {"TH->S", "final-deletion", "epenthesis"} <= specific
    assert len(specific) >= 45


def _problems(data: dict[str, Any]) -> str:
    with pytest.raises(KnowledgeBaseError) as raised:
        parse_knowledge_base(data)
    return str(raised.value)


def test_packaged_data_parses(raw_data: dict[str, Any]) -> None:
    assert len(parse_knowledge_base(raw_data).phones) == 39


def test_missing_phone_is_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    del data["phones"]["ZH"]
    assert "missing ['ZH']" in _problems(data)


def test_phone_without_description_is_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    data["phones"]["TH"]["how"] = "  "
    assert "phones.TH: 'how'" in _problems(data)


def test_confusion_with_unknown_phone_is_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    data["confusions"]["TH->AX"] = data["confusions"]["TH->S"]
    assert "confusions.TH->AX" in _problems(data)


def test_missing_native_language_is_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    del data["l1"]["vi"]
    assert "missing native languages ['vi']" in _problems(data)


def test_native_language_note_on_unknown_pattern_is_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    data["l1"]["zh"]["notes"]["TH->Q"] = "A note about nothing."
    assert "'TH->Q' is neither a confusion nor a pattern" in _problems(data)


def test_unknown_placeholder_is_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    data["confusions"]["TH->S"]["suggestion"] = "Say {wrod} again."
    assert "unknown placeholder(s) ['wrod']" in _problems(data)


def test_indistinguishable_phones_are_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    data["phones"]["Z"].update(voiced=False)
    assert "S and Z have identical features" in _problems(data)


def test_missing_feature_text_is_rejected(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    del data["features"]["place"]["velar"]
    assert "features.place has no text for 'velar'" in _problems(data)


def test_all_problems_are_reported_together(raw_data: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_data)
    del data["phones"]["ZH"]
    del data["l1"]["vi"]
    message = _problems(data)
    assert "ZH" in message and "vi" in message


def test_checker_accepts_packaged_file_and_rejects_broken_copy(
    raw_data: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert main([]) == 0
    broken = copy.deepcopy(raw_data)
    del broken["patterns"]["epenthesis"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        assert main([str(path)]) == 1
    assert "missing ['epenthesis']" in caplog.text


def test_checker_rejects_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "edited.json"
    path.write_text("{not json", encoding="utf-8")
    assert main([str(path)]) == 1
