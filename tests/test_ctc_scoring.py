"""From CTC evidence to the feedback's scores, errors and word status, on evidence written by hand."""

from __future__ import annotations

import math

import pytest

from inference_daemon.backends.ctc.analysis import PhoneEvidence, WordEvidence
from inference_daemon.backends.ctc.gop import PhoneGop
from inference_daemon.backends.ctc.scoring import judge_word
from inference_daemon.feedback import ErrorType, PhoneError, WordStatus

RIGHT = PhoneGop(gop=math.log(0.95), competitor="IH", margin=-3.0)


def phone(name: str, verdict: PhoneGop | None = RIGHT) -> PhoneEvidence:
    return PhoneEvidence(name, scored=verdict is not None, start=None if verdict is None else 0,
                         end=None if verdict is None else 1, gop=verdict)


def word(*phones: PhoneEvidence, deletion_margin: float = -5.0, heard: list[str] | None = None,
         insertions: list[tuple[int, str]] | None = None) -> WordEvidence:
    return WordEvidence(list(phones), 0, 3, deletion_margin, heard if heard is not None else ["K", "AE", "T"],
                        insertions or [])


def test_a_word_said_as_expected_is_ok_with_its_posteriors_as_scores() -> None:
    judgement = judge_word(word(phone("K"), phone("AE"), phone("T")))
    assert judgement.status is WordStatus.ok and judgement.errors == []
    assert judgement.phone_scores == pytest.approx([95.0, 95.0, 95.0])
    assert judgement.score == pytest.approx(95.0)


def test_the_winning_competitor_is_the_substitution_heard() -> None:
    wrong = PhoneGop(gop=math.log(0.1), competitor="EH", margin=2.0)
    judgement = judge_word(word(phone("K"), phone("AE", wrong), phone("T")))
    assert judgement.status is WordStatus.mispronounced
    assert judgement.errors == [PhoneError(type=ErrorType.substitution, expected="AE", heard="EH", position=1)]
    assert judgement.phone_scores[1] == pytest.approx(10.0)


def test_a_winning_deletion_is_a_deleted_phone() -> None:
    gone = PhoneGop(gop=math.log(0.2), competitor=None, margin=1.0)
    judgement = judge_word(word(phone("K"), phone("AE"), phone("T", gone)))
    assert judgement.errors == [PhoneError(type=ErrorType.deletion, expected="T", position=2)]


def test_insertions_come_before_the_phone_they_precede() -> None:
    wrong = PhoneGop(gop=math.log(0.1), competitor="EH", margin=2.0)
    judgement = judge_word(word(phone("K"), phone("AE", wrong), phone("T"), insertions=[(1, "AH"), (3, "AH")]))
    assert [(e.type, e.position) for e in judgement.errors] == [
        (ErrorType.insertion, 1), (ErrorType.substitution, 1), (ErrorType.insertion, 3)]


def test_a_word_likelier_absent_and_not_heard_is_missing() -> None:
    judgement = judge_word(word(phone("K"), phone("AE"), phone("T"), deletion_margin=4.0, heard=[]))
    assert judgement.status is WordStatus.missing
    assert [e.type for e in judgement.errors] == [ErrorType.deletion] * 3


def test_a_word_likelier_absent_but_heard_is_not_missing() -> None:
    judgement = judge_word(word(phone("K"), phone("AE"), phone("T"), deletion_margin=4.0, heard=["K", "T"]))
    assert judgement.status is WordStatus.ok


def test_a_phone_the_model_cannot_hear_is_left_out_of_the_word_score() -> None:
    low = PhoneGop(gop=math.log(0.6), competitor="IH", margin=-0.5)
    judgement = judge_word(word(phone("M"), phone("EH", low), phone("ZH", None), phone("ER")))
    assert judgement.phone_scores[2] is None
    assert judgement.score == pytest.approx((95 + 60 + 95) / 3)
    assert judgement.status is WordStatus.ok
