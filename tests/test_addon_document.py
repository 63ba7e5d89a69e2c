"""The add-on reads the daemon's feedback document through the JSON Schema it ships; both must agree."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inference_daemon.feedback import feedback_json_schema
from tests.anki_support.addon_import import ADDON_DIR, addon_module
from tests.anki_support.documents import daemon_document, stress_document

document = addon_module("document")


def test_shipped_schema_is_the_daemons_schema() -> None:
    shipped = json.loads((ADDON_DIR / "feedback_schema.json").read_text(encoding="utf-8"))
    assert shipped == feedback_json_schema(), (
        "addon/feedback_schema.json is out of date; regenerate it from inference_daemon.feedback.feedback_json_schema()"
    )


def test_a_daemon_document_parses_with_the_fields_the_addon_shows() -> None:
    feedback = document.parse_feedback(daemon_document())
    assert feedback.score == 64
    assert [w.text for w in feedback.words_needing_work] == ["think", "so"]
    think = feedback.words[1]
    assert think.heard_phones == ("S", "IH", "NG", "K")
    assert think.errors[0].expected == "TH" and think.errors[0].heard == "S"
    assert feedback.suggestions == ("Practise /θ/.",)


@pytest.mark.parametrize("broken", [
    {"version": 2},
    {"score": 140},
    {"words": [{"index": 0, "text": "I", "score": 90, "status": "great", "expected_phones": []}]},
    {"summary": None},
])
def test_documents_that_break_the_contract_are_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(document.InvalidFeedback):
        document.parse_feedback(daemon_document(**broken))


def test_fields_added_by_a_newer_daemon_are_ignored() -> None:
    data = daemon_document(pace_of_speech=71.0)
    data["words"][1]["syllables"] = 1
    feedback = document.parse_feedback(data)
    assert feedback.score == 64 and feedback.words[1].text == "think"


def test_a_missing_required_field_is_named() -> None:
    data = daemon_document()
    del data["words"][1]["status"]
    with pytest.raises(document.InvalidFeedback, match="words/1"):
        document.parse_feedback(data)


def test_sentence_level_scores_are_read_and_absent_ones_are_none() -> None:
    feedback = document.parse_feedback(daemon_document(fluency=71.5, prosody=64, completeness=100))
    assert (feedback.fluency, feedback.prosody, feedback.completeness) == (71.5, 64.0, 100.0)
    older = daemon_document()
    for name in ("fluency", "prosody", "completeness"):
        older.pop(name, None)
    feedback = document.parse_feedback(older)
    assert (feedback.fluency, feedback.prosody, feedback.completeness) == (None, None, None)


@pytest.mark.parametrize("broken", [{"fluency": 101}, {"prosody": -1}, {"completeness": "full"}])
def test_sentence_level_scores_out_of_range_are_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(document.InvalidFeedback, match=next(iter(broken))):
        document.parse_feedback(daemon_document(**broken))


def test_a_stress_error_is_read_apart_from_the_phone_errors() -> None:
    bananas = document.parse_feedback(stress_document()).words[2]
    error = bananas.stress_error
    assert error is not None and error.is_stress
    assert (error.position, error.expected, error.heard, error.stressed_position) == (3, "AE", "AH", 1)
    assert not bananas.has_phone_errors
    think = document.parse_feedback(daemon_document()).words[1]
    assert think.stress_error is None and think.has_phone_errors
    assert think.errors[0].stressed_position is None


@pytest.mark.parametrize("error", [
    {"type": "tone", "position": 3},
    {"type": "stress", "position": 3, "stressed_position": -1},
    {"type": "stress", "position": 3, "stressed_position": "first"},
])
def test_stress_errors_that_break_the_contract_are_refused(error: dict[str, Any]) -> None:
    data = stress_document()
    data["words"][2]["errors"] = [error]
    with pytest.raises(document.InvalidFeedback, match="words/2/errors/0"):
        document.parse_feedback(data)
