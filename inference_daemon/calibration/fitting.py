"""Fit a backend's scorer on speechocean762-style expert ratings, and measure it by speaker cross-validation.

Backend-neutral: a backend hands in its utterances (anything with a ``speaker``) and a
:class:`FeatureSet`, the callbacks that turn them into feature rows and into the words it would
report. Everything else is shared: the phone model (soft target: the experts' phone accuracy / 2),
the word model (soft target: word accuracy / 10, one of its features usually the phone model's
output), L2-regularised logistic regression by Newton's method, speaker folds, thresholds chosen
by F-beta on the training folds, and threshold baselines over the same folds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from inference_daemon.calibration.metrics import best_threshold, pearson, word_metrics
from inference_daemon.calibration.model import Calibration, LogisticModel
from inference_daemon.datasets.speechocean import MISPRONOUNCED_PHONE_SCORE, MISPRONOUNCED_WORD_ACCURACY

# The experts' scales in speechocean762: phone accuracy 0-2, word accuracy 0-10.
PHONE_ACCURACY_SCALE = 2.0
WORD_ACCURACY_SCALE = 10.0
FOLD_SEED = 7

Rows = tuple[np.ndarray, np.ndarray]
"""Feature rows (one per phone or word) and the experts' label of each row, on the corpus's scale."""


class Spoken(Protocol):
    """An utterance as the fitting needs it: who said it, for speaker folds."""

    @property
    def speaker(self) -> str: ...


Utterance = TypeVar("Utterance", bound=Spoken)


@dataclass(frozen=True)
class ReportedWords:
    """Every word of one utterance as the backend would report it: score 0-100, flagged or not, the
    experts' word accuracy (words the backend could not find included, as it reports them)."""

    scores: np.ndarray
    flagged: np.ndarray
    accuracy: np.ndarray


@dataclass(frozen=True)
class FeatureSet(Generic[Utterance]):
    """What a backend contributes: its feature names and how its evidence becomes rows and reported words.

    ``phone_rows(utterances)`` and ``word_rows(utterances, phone_model)`` return :data:`Rows`;
    ``reported_words(utterance, phone_model, word_model, word_threshold)`` applies fitted models
    the way the backend does at run time.
    """

    phone_features: list[str]
    word_features: list[str]
    phone_rows: Callable[[list[Utterance]], Rows]
    word_rows: Callable[[list[Utterance], LogisticModel], Rows]
    reported_words: Callable[[Utterance, LogisticModel, LogisticModel, float], ReportedWords]


def fit_logistic(rows: np.ndarray, targets: np.ndarray, features: list[str], l2: float) -> LogisticModel:
    """L2-regularised logistic regression with soft targets in [0, 1], by Newton's method."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    design = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    coef = np.zeros(design.shape[1])
    for _ in range(50):
        prob = 1.0 / (1.0 + np.exp(-(design @ coef)))
        gradient = design.T @ (prob - targets) + penalty * coef
        hessian = (design * (prob * (1 - prob))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        coef -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return LogisticModel(features, mean, scale, coef[:-1], float(coef[-1]))


@dataclass(frozen=True)
class FittedModels:
    """Both models and the rows they were fitted on, so that thresholds reuse the rows instead of
    computing them again."""

    phone_model: LogisticModel
    word_model: LogisticModel
    phone_rows: Rows
    word_rows: Rows


def fit(utterances: list[Utterance], features: FeatureSet[Utterance], l2: float) -> FittedModels:
    """The phone model, then the word model on rows that use it."""
    phone_rows, phone_labels = features.phone_rows(utterances)
    phone_model = fit_logistic(phone_rows, phone_labels / PHONE_ACCURACY_SCALE, features.phone_features, l2)
    word_rows, word_labels = features.word_rows(utterances, phone_model)
    word_model = fit_logistic(word_rows, word_labels / WORD_ACCURACY_SCALE, features.word_features, l2)
    return FittedModels(phone_model, word_model, (phone_rows, phone_labels), (word_rows, word_labels))


def speaker_folds(utterances: Sequence[Spoken], folds: int) -> list[int]:
    """Each utterance's fold; all utterances of a speaker share one (a fixed random assignment)."""
    speakers = sorted({u.speaker for u in utterances})
    order = np.random.default_rng(FOLD_SEED).permutation(len(speakers))
    fold_of = {speakers[i]: rank % folds for rank, i in enumerate(order)}
    return [fold_of[u.speaker] for u in utterances]


def cross_validate(utterances: list[Utterance], features: FeatureSet[Utterance], l2: float, folds: int,
                   betas: list[float]) -> dict[str, dict[str, float | None]]:
    """Speaker-held-out metrics at each operating point (``f{beta}_threshold``); thresholds are chosen
    on the training folds, every word of the held-out utterances counts as the backend reports it."""
    fold_of = speaker_folds(utterances, folds)
    reported: dict[float, list[ReportedWords]] = {beta: [] for beta in betas}
    phone_scores, phone_gold = [], []
    for fold in range(folds):
        train = [u for u, f in zip(utterances, fold_of, strict=True) if f != fold]
        test = [u for u, f in zip(utterances, fold_of, strict=True) if f == fold]
        if not test or not train:  # fewer speakers than folds
            continue
        fitted = fit(train, features, l2)
        train_rows, train_labels = fitted.word_rows
        train_scores = 100 * fitted.word_model.probabilities(train_rows)
        for beta in betas:
            threshold = best_threshold(train_scores, train_labels <= MISPRONOUNCED_WORD_ACCURACY, beta)
            reported[beta] += [
                features.reported_words(u, fitted.phone_model, fitted.word_model, threshold) for u in test
            ]
        test_phone_rows, test_phone_labels = features.phone_rows(test)
        phone_scores.append(100 * fitted.phone_model.probabilities(test_phone_rows))
        phone_gold.append(test_phone_labels)
    phone_r = pearson(np.concatenate(phone_scores), np.concatenate(phone_gold))
    result = {}
    for beta in betas:
        metrics = word_metrics(*_concatenated(reported[beta]))
        metrics["phone_r"] = phone_r
        result[f"f{beta:g}_threshold"] = metrics
    return result


def _concatenated(words: list[ReportedWords]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.concatenate([w.scores for w in words]), np.concatenate([w.flagged for w in words]),
            np.concatenate([w.accuracy for w in words]))


def fit_calibration(utterances: list[Utterance], features: FeatureSet[Utterance], l2: float, word_beta: float,
                    provenance: dict[str, Any]) -> Calibration:
    """Both models fitted on every utterance; the word threshold maximises F-``word_beta`` for the
    experts' mispronounced words, the phone threshold F1 for their wrong phones (mean score below 1)."""
    fitted = fit(utterances, features, l2)
    word_rows, word_labels = fitted.word_rows
    word_threshold = best_threshold(
        100 * fitted.word_model.probabilities(word_rows), word_labels <= MISPRONOUNCED_WORD_ACCURACY, word_beta
    )
    phone_rows, phone_labels = fitted.phone_rows
    phone_threshold = best_threshold(
        100 * fitted.phone_model.probabilities(phone_rows), phone_labels < MISPRONOUNCED_PHONE_SCORE, 1.0
    )
    return Calibration(fitted.phone_model, fitted.word_model, word_threshold, phone_threshold, provenance)


def threshold_baseline(utterances: Sequence[Spoken], scores: list[np.ndarray], accuracy: list[np.ndarray],
                       folds: int) -> dict[str, float | None]:
    """A fixed word score (per utterance, one per word) read through an F1 threshold chosen on the
    training folds, as the fitted models are: what a fitted scorer has to beat."""
    fold_of = speaker_folds(utterances, folds)
    word_folds = np.concatenate([np.full(len(s), f) for s, f in zip(scores, fold_of, strict=True)])
    all_scores, gold = np.concatenate(scores), np.concatenate(accuracy)
    flagged = np.zeros(len(gold), dtype=bool)
    for fold in range(folds):
        train, test = word_folds != fold, word_folds == fold
        threshold = best_threshold(all_scores[train], gold[train] <= MISPRONOUNCED_WORD_ACCURACY, 1.0)
        flagged[test] = all_scores[test] < threshold
    return word_metrics(all_scores, flagged, gold)
