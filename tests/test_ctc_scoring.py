"""From CTC evidence to the feedback's scores, errors and word status (fixed rules and fitted), on evidence by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from inference_daemon.backends.ctc.analysis import PhoneEvidence, WordEvidence
from inference_daemon.backends.ctc.features import PHONE_FEATURES, WORD_FEATURES
from inference_daemon.backends.ctc.gop import PhoneGop
from inference_daemon.backends.ctc.scoring import judge_word, judge_words
from inference_daemon.calibration import Calibration, LogisticModel
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


def _fitted(phone_threshold: float = 50.0, word_threshold: float = 50.0) -> Calibration:
    """Hand-set models: a phone's logit is 4 × (GOP + 0.7), a word's is 2 × its worst phone's logit."""
    phone_weights = np.zeros(len(PHONE_FEATURES))
    phone_weights[PHONE_FEATURES.index("gop")] = 4.0
    word_weights = np.zeros(len(WORD_FEATURES))
    word_weights[WORD_FEATURES.index("min_phone_logit")] = 2.0
    phone_model = LogisticModel(PHONE_FEATURES, np.zeros(len(PHONE_FEATURES)), np.ones(len(PHONE_FEATURES)),
                                phone_weights, 2.8)
    word_model = LogisticModel(WORD_FEATURES, np.zeros(len(WORD_FEATURES)), np.ones(len(WORD_FEATURES)),
                               word_weights, 0.0)
    return Calibration(phone_model, word_model, word_threshold, phone_threshold, provenance={})


def test_fitted_scores_are_the_models_outputs_and_a_good_word_is_ok() -> None:
    [judgement] = judge_words([word(phone("K"), phone("AE"), phone("T"))], _fitted())
    expected_phone = 100 / (1 + math.exp(-4 * (math.log(0.95) + 0.7)))
    assert judgement.phone_scores == pytest.approx([expected_phone] * 3)
    assert judgement.score == pytest.approx(100 / (1 + math.exp(-8 * (math.log(0.95) + 0.7))))
    assert judgement.status is WordStatus.ok and judgement.errors == []


def test_a_fitted_low_word_names_its_low_phones_by_their_competitor() -> None:
    wrong = PhoneGop(gop=math.log(0.1), competitor="EH", margin=2.0)
    [judgement] = judge_words([word(phone("K"), phone("AE", wrong), phone("T"), insertions=[(3, "AH")])], _fitted())
    assert judgement.status is WordStatus.mispronounced
    assert judgement.errors == [PhoneError(type=ErrorType.substitution, expected="AE", heard="EH", position=1),
                                PhoneError(type=ErrorType.insertion, heard="AH", position=3)]


def test_a_fitted_flagged_word_without_a_low_phone_names_its_worst_phone() -> None:
    worse = PhoneGop(gop=math.log(0.7), competitor=None, margin=-1.0)
    [judgement] = judge_words([word(phone("K"), phone("AE"), phone("T", worse))],
                              _fitted(phone_threshold=0.0, word_threshold=100.0))
    assert judgement.errors == [PhoneError(type=ErrorType.deletion, expected="T", position=2)]


def test_fitted_scoring_keeps_the_missing_rule_and_skips_phones_without_evidence() -> None:
    skipped = word(phone("K"), phone("AE"), phone("T"), deletion_margin=4.0, heard=[])
    partly = word(phone("M"), phone("EH"), phone("ZH", None), phone("ER"))
    unheard = word(phone("ZH", None))
    judgements = judge_words([skipped, partly, unheard], _fitted())
    assert judgements[0].status is WordStatus.missing
    assert judgements[1].phone_scores[2] is None and None not in judgements[1].phone_scores[:2]
    assert judgements[2].score is None and judgements[2].status is WordStatus.ok
