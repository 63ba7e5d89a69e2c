"""The alm answer formats parse into the feedback document that follows the target sentence (no torch)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from inference_daemon.backends.alm.answers import (
    JsonAnswer,
    JsonWord,
    ParsedAnswer,
    ReportedWord,
    render_json_answer,
    render_text_answer,
)
from inference_daemon.backends.alm.document import BuiltDocument, build_document, document_from_output, phone_errors
from inference_daemon.backends.alm.prompt import AnswerFormat, build_prompt, parse_answer, response_schema
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.errors import InvalidModelOutput
from inference_daemon.feedback import ErrorType, WordStatus

SENTENCE = "I think so, I think."


def document(answer: ParsedAnswer, sentence: str = SENTENCE) -> BuiltDocument:
    return build_document(answer, sentence, backend="alm", model="m", request_id="r", duration_s=1.0)


def test_no_problem_marks_every_word_ok() -> None:
    for raw in ("No Problem", "no problem.", "  No Problems\n"):
        built = document(parse_answer(raw, AnswerFormat.text))
        assert [w.text for w in built.document.words] == ["I", "think", "so", "I", "think"]
        assert all(w.status is WordStatus.ok for w in built.document.words)
        assert built.document.score == 100.0


def test_text_entries_mark_the_named_words_in_sentence_order() -> None:
    raw = ("word: think issue: TH was said as S suggestion: Put your tongue between your teeth.\n"
           "word: so, issue: OW too short suggestion: Round your lips.")
    built = document(parse_answer(raw, AnswerFormat.text))
    words = built.document.words
    assert [w.status for w in words] == [WordStatus.ok, WordStatus.mispronounced, WordStatus.mispronounced,
                                         WordStatus.ok, WordStatus.ok]
    assert words[1].explanation == "TH was said as S" and words[2].suggestion == "Round your lips."
    assert words[1].expected_phones == ["TH", "IH", "NG", "K"]
    assert all(w.start is None and w.end is None and w.phones is None for w in words)
    assert built.document.score == 60.0 and built.dropped_words == ()


def test_entries_run_together_on_one_line_parse() -> None:
    raw = "word: I issue: a suggestion: b word: so issue: c suggestion: d"
    assert [w.text for w in parse_answer(raw, AnswerFormat.text).words] == ["I", "so"]


def test_words_not_in_the_sentence_and_repeats_beyond_the_sentence_are_dropped_and_counted() -> None:
    raw = ("word: zebra issue: x suggestion: y\nword: think issue: a suggestion: b\n"
           "word: think issue: c suggestion: d\nword: think issue: e suggestion: f")
    built = document(parse_answer(raw, AnswerFormat.text))
    assert built.dropped_words == ("zebra", "think")
    assert [w.index for w in built.document.mispronounced_words] == [1, 4]


@pytest.mark.parametrize("raw", [
    "word: think issue: TH was said as S",  # cut off before the suggestion
    "The learner did well overall.",  # chatter
    "word: think issue: a suggestion: b\nBut also some words were unclear",
    "",
])
def test_malformed_text_answers_are_invalid(raw: str) -> None:
    with pytest.raises(InvalidModelOutput) as caught:
        parse_answer(raw, AnswerFormat.text)
    assert caught.value.status == 502


def test_json_answer_round_trips_and_derives_phone_errors() -> None:
    answer = JsonAnswer(score=72, words=[JsonWord(text="think", status="mispronounced", score=40,
                                                  heard_phones=["S", "IH", "NG", "K"], explanation="TH became S",
                                                  suggestion="Tongue out.")], summary="Mostly clear.")
    built = document(parse_answer(render_json_answer(answer), AnswerFormat.json))
    think = built.document.words[1]
    assert (built.document.score, built.document.summary, think.score) == (72.0, "Mostly clear.", 40.0)
    assert think.heard_phones == ["S", "IH", "NG", "K"]
    assert [(e.type, e.expected, e.heard, e.position) for e in think.errors] == [
        (ErrorType.substitution, "TH", "S", 0)]


@pytest.mark.parametrize("raw", [
    '{"score": 80, "words": [], "summary": "ok"',  # truncated
    '{"score": 180, "words": [], "summary": "ok"}',  # out of range
    '{"score": 80, "words": [{"text": "think", "status": "mispronounced", "score": 5, "heard_phones": ["Q"], '
    '"explanation": "", "suggestion": ""}], "summary": ""}',  # not ARPAbet
    '{"score": 80, "words": [], "summary": "ok", "extra": 1}',
])
def test_invalid_json_answers_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidModelOutput):
        parse_answer(raw, AnswerFormat.json)


def test_phone_errors_cover_deletions_and_insertions() -> None:
    errors = phone_errors(["S", "T", "AA", "P"], ["S", "AA", "P", "AH"])
    assert [(e.type, e.position) for e in errors] == [(ErrorType.deletion, 1), (ErrorType.insertion, 4)]


def test_rejected_answers_are_logged_raw_and_cut_off_answers_are_invalid(caplog: pytest.LogCaptureFixture) -> None:
    request = AssessmentRequest(audio=np.zeros(16_000, dtype=np.float32), text=SENTENCE, request_id="req-7")
    with caplog.at_level(logging.WARNING), pytest.raises(InvalidModelOutput):
        document_from_output("gibberish ###", finished=True, answer_format=AnswerFormat.text, request=request,
                             backend="alm", model="m")
    assert "gibberish ###" in caplog.text and "req-7" in caplog.text
    with pytest.raises(InvalidModelOutput, match="cut off"):
        document_from_output("No Problem", finished=False, answer_format=AnswerFormat.text, request=request,
                             backend="alm", model="m")


def test_prompt_and_schema_follow_the_sentence() -> None:
    prompt = build_prompt(SENTENCE, AnswerFormat.text, "zh")
    assert SENTENCE in prompt.instruction and "No Problem" in prompt.instruction and "zh" in prompt.instruction
    schema = response_schema(SENTENCE)
    assert schema["$defs"]["JsonWord"]["properties"]["text"]["enum"] == ["I", "think", "so"]
    assert schema["properties"]["words"]["maxItems"] == 5
    assert render_text_answer(ParsedAnswer(words=())) == "No Problem"
    one = ParsedAnswer(words=(ReportedWord("so", "mispronounced", "a", "b"),))
    assert parse_answer(render_text_answer(one), AnswerFormat.text) == one
