"""The shared fitting code on synthetic data whose answers are known: logistic fit, folds, thresholds, CV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from inference_daemon.calibration import LogisticModel
from inference_daemon.calibration.fitting import (
    FeatureSet,
    ReportedWords,
    Rows,
    cross_validate,
    fit_calibration,
    fit_logistic,
    speaker_folds,
    threshold_baseline,
)
from inference_daemon.calibration.metrics import best_threshold, detection, pearson


@dataclass
class Toy:
    """An utterance of one speaker: per word, one phone whose evidence is the experts' score plus noise."""

    speaker: str
    evidence: np.ndarray  # per word
    phone_accuracy: np.ndarray  # 0-2
    word_accuracy: np.ndarray  # 0-10


def _toy_corpus(informative: bool, speakers: int = 12, seed: int = 0) -> list[Toy]:
    generator = np.random.default_rng(seed)
    corpus = []
    for speaker in range(speakers):
        for _ in range(4):
            word_accuracy = generator.choice([2.0, 5.0, 8.0, 9.0, 10.0, 10.0], size=6)
            phone_accuracy = word_accuracy / 5.0
            signal = phone_accuracy if informative else generator.permutation(phone_accuracy)
            corpus.append(Toy(f"s{speaker}", signal + generator.normal(scale=0.2, size=6), phone_accuracy,
                              word_accuracy))
    return corpus


def _phone_rows(utterances: list[Toy]) -> Rows:
    return (np.concatenate([u.evidence for u in utterances])[:, None],
            np.concatenate([u.phone_accuracy for u in utterances]))


def _word_rows(utterances: list[Toy], phone_model: LogisticModel) -> Rows:
    rows, _ = _phone_rows(utterances)
    return phone_model.logits(rows)[:, None], np.concatenate([u.word_accuracy for u in utterances])


def _reported(utterance: Toy, phone_model: LogisticModel, word_model: LogisticModel, threshold: float
              ) -> ReportedWords:
    rows, _ = _word_rows([utterance], phone_model)
    scores = 100 * word_model.probabilities(rows)
    return ReportedWords(scores, scores < threshold, utterance.word_accuracy)


TOY = FeatureSet(["evidence"], ["phone_logit"], _phone_rows, _word_rows, _reported)


def test_logistic_fit_recovers_the_direction_and_ignores_noise() -> None:
    generator = np.random.default_rng(1)
    rows = generator.normal(size=(2000, 2)) * [1.0, 5.0] + [3.0, 0.0]
    targets = 1.0 / (1.0 + np.exp(-(2.0 * (rows[:, 0] - 3.0))))
    model = fit_logistic(rows, targets, ["useful", "noise"], l2=1.0)
    assert model.weights[0] > 1.5 and abs(model.weights[1]) < 0.1
    assert np.max(np.abs(model.probabilities(rows) - targets)) < 0.05


def test_speaker_folds_keep_each_speaker_in_one_fold_and_use_every_fold() -> None:
    corpus = _toy_corpus(True)
    folds = speaker_folds(corpus, 5)
    fold_of_speaker: dict[str, set[int]] = {}
    for utterance, fold in zip(corpus, folds, strict=True):
        fold_of_speaker.setdefault(utterance.speaker, set()).add(fold)
    assert all(len(found) == 1 for found in fold_of_speaker.values())
    assert set(folds) == set(range(5))
    assert speaker_folds(corpus, 5) == folds


def test_best_threshold_separates_separable_scores() -> None:
    scores = np.concatenate([np.linspace(0, 30, 20), np.linspace(60, 100, 180)])
    positive = scores < 45
    threshold = best_threshold(scores, positive, 1.0)
    assert detection(scores < threshold, positive)["f1"] == 1.0


def test_detection_and_pearson_on_counted_examples() -> None:
    found = detection(np.array([True, True, False, False]), np.array([True, False, True, False]))
    assert (found["precision"], found["recall"], found["f1"], found["flagged_share"]) == (0.5, 0.5, 0.5, 0.5)
    assert detection(np.zeros(3, dtype=bool), np.ones(3, dtype=bool))["precision"] == 0.0
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None and pearson([1, 2], [1, 2]) is None


def test_cross_validation_finds_informative_evidence_and_not_shuffled_evidence() -> None:
    informative = cross_validate(_toy_corpus(True), TOY, l2=1.0, folds=4, betas=[0.5, 1.0])
    shuffled = cross_validate(_toy_corpus(False), TOY, l2=1.0, folds=4, betas=[1.0])
    assert set(informative) == {"f0.5_threshold", "f1_threshold"}
    good, bad = informative["f1_threshold"], shuffled["f1_threshold"]
    assert good["word_r"] is not None and good["word_r"] > 0.8 and good["phone_r"] is not None
    assert good["f1"] is not None and good["f1"] > 0.8
    assert bad["word_r"] is not None and abs(bad["word_r"]) < 0.3


def test_fit_calibration_thresholds_and_a_baseline_over_the_same_folds() -> None:
    corpus = _toy_corpus(True)
    calibration = fit_calibration(corpus, TOY, l2=1.0, word_beta=0.5, provenance={"tool": "test"})
    assert calibration.phone_model.features == ["evidence"] and calibration.provenance == {"tool": "test"}
    rows, accuracy = _word_rows(corpus, calibration.phone_model)
    flagged = 100 * calibration.word_model.probabilities(rows) < calibration.word_threshold
    assert detection(flagged, accuracy <= 6)["precision"] > 0.9
    baseline = threshold_baseline(corpus, [u.evidence for u in corpus], [u.word_accuracy for u in corpus], 4)
    assert baseline["f1"] is not None and baseline["f1"] > 0.8
