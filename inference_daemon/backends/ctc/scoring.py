"""Turn the CTC evidence about a word into its scores, phone errors and status, by fixed rules or a fitted scorer.

Fixed rules (any checkpoint, no fitting): the phone score is the GOP read as a probability, 100 ×
the posterior of the expected phone among all the hypotheses (itself, every substitute, its
deletion). A phone is wrong when some other hypothesis explains the audio better, and the error
names that hypothesis; insertions come from the free decoding. A word is missing when the window
is likelier without it than with it and the free decoding heard nothing in it: two signs, so that
a word said badly but said is not called skipped.

Fitted (a calibration for the loaded checkpoint, ``tools/calibrate_ctc.py``): phone and word
scores are the logistic models' outputs on :mod:`.features`; a word is mispronounced when its score
is below the fitted threshold, and its errors are the phones below the phone threshold, named by
their best competitor (the worst phone when none is), with the insertions heard. The missing rule
is the same in both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from inference_daemon.backends.ctc.analysis import PhoneEvidence, WordEvidence
from inference_daemon.backends.ctc.features import phone_features, scored_phones, word_features
from inference_daemon.calibration import Calibration, sigmoid
from inference_daemon.feedback import ErrorType, PhoneError, WordStatus


@dataclass(frozen=True)
class WordJudgement:
    """Scores 0-100 per phone (``None``: the model cannot score it) and for the word, errors and status."""

    phone_scores: list[float | None]
    score: float | None
    status: WordStatus
    errors: list[PhoneError]


def phone_score(evidence: PhoneEvidence) -> float | None:
    """100 × the posterior of the expected phone among the hypotheses, or ``None`` when unscored."""
    if evidence.gop is None:
        return None
    return 100.0 * math.exp(evidence.gop.gop)


def phone_error(position: int, evidence: PhoneEvidence) -> PhoneError | None:
    """The substitution or deletion that explains the audio better than the expected phone, if any."""
    if evidence.gop is None or evidence.gop.margin <= 0:
        return None
    return competitor_error(position, evidence)


def competitor_error(position: int, evidence: PhoneEvidence) -> PhoneError | None:
    """The phone's best competitor as an error: a substitution by it, or a deletion (``None``: unscored)."""
    if evidence.gop is None:
        return None
    if evidence.gop.competitor is None:
        return PhoneError(type=ErrorType.deletion, expected=evidence.phone, position=position)
    return PhoneError(type=ErrorType.substitution, expected=evidence.phone, heard=evidence.gop.competitor,
                      position=position)


def _skipped(word: WordEvidence) -> bool:
    """Likelier left out than said, and nothing heard in it."""
    return bool(scored_phones(word)) and word.deletion_margin > 0 and not word.heard


def _missing(word: WordEvidence, scores: list[float | None], word_score: float | None) -> WordJudgement:
    deletions = [PhoneError(type=ErrorType.deletion, expected=phone.phone, position=position)
                 for position, phone in enumerate(word.phones) if phone.scored]
    return WordJudgement(scores, word_score, WordStatus.missing, deletions)


def _in_order(word: WordEvidence, phone_errors: list[PhoneError]) -> list[PhoneError]:
    """The phone errors and the insertions heard, in phone order (an insertion before its phone)."""
    errors = phone_errors + [PhoneError(type=ErrorType.insertion, heard=heard, position=position)
                             for position, heard in word.insertions]
    return sorted(errors, key=lambda error: (error.position, error.type is not ErrorType.insertion))


def judge_word(word: WordEvidence) -> WordJudgement:
    """By the fixed rules: scores, errors (in phone order, insertions at their place) and the status of one word."""
    scores = [phone_score(phone) for phone in word.phones]
    scored = [score for score in scores if score is not None]
    word_score = sum(scored) / len(scored) if scored else None
    if _skipped(word):
        return _missing(word, scores, word_score)
    errors = _in_order(word, [error for position, phone in enumerate(word.phones)
                              if (error := phone_error(position, phone))])
    status = WordStatus.mispronounced if errors else WordStatus.ok
    return WordJudgement(scores, word_score, status, errors)


def judge_fitted_word(word: WordEvidence, phone_scores: list[float | None], word_score: float,
                      calibration: Calibration) -> WordJudgement:
    """With the fitted scores of the word's phones (``None``: unscored) and of the word."""
    if _skipped(word):
        return _missing(word, phone_scores, word_score)
    if not calibration.word_mispronounced(word_score):
        return WordJudgement(phone_scores, word_score, WordStatus.ok, [])
    scored = [(score, position) for position, score in enumerate(phone_scores) if score is not None]
    wrong = [position for score, position in scored if calibration.phone_wrong(score)] or [min(scored)[1]]
    errors = [error for position in wrong if (error := competitor_error(position, word.phones[position]))]
    return WordJudgement(phone_scores, word_score, WordStatus.mispronounced, _in_order(word, errors))


def judge_words(words: list[WordEvidence], calibration: Calibration | None) -> list[WordJudgement]:
    """Every word of a sentence: by the fitted scorer when there is one, else by the fixed rules.

    A word without a phone the model can express is judged by the rules (it has no fitted score).
    """
    if calibration is None:
        return [judge_word(word) for word in words]
    phone_rows = phone_features(words)
    phone_logits = calibration.phone_model.logits(phone_rows)
    phone_probabilities = sigmoid(phone_logits)
    word_probabilities = calibration.word_model.probabilities(word_features(words, phone_logits))
    judgements = []
    phone_offset, word_offset = 0, 0
    for word in words:
        positions = [position for position, _ in scored_phones(word)]
        if not positions:
            judgements.append(judge_word(word))
            continue
        scores: list[float | None] = [None] * len(word.phones)
        own = phone_probabilities[phone_offset : phone_offset + len(positions)]
        for position, probability in zip(positions, own, strict=True):
            scores[position] = 100.0 * float(probability)
        phone_offset += len(positions)
        word_score = 100.0 * float(word_probabilities[word_offset])
        word_offset += 1
        judgements.append(judge_fitted_word(word, scores, word_score, calibration))
    return judgements
