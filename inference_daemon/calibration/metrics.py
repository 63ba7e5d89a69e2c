"""The figures a calibration is chosen and judged by: detection at a threshold, F-beta, Pearson correlation.

Counting follows :class:`inference_daemon.evaluation.metrics.DetectionCounts`, the evaluation's
word-level detection; here the inputs are flat arrays (one entry per word or phone) and an
undefined ratio counts as 0, so that a threshold search can compare every candidate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from inference_daemon.datasets.speechocean import MISPRONOUNCED_WORD_ACCURACY
from inference_daemon.evaluation.metrics import DetectionCounts


def f_beta(precision: float, recall: float, beta: float) -> float:
    """Weighted harmonic mean of precision and recall; ``beta`` < 1 weighs precision more."""
    weight = beta * beta
    return (1 + weight) * precision * recall / max(weight * precision + recall, 1e-12)


def detection_counts(flagged: np.ndarray, gold: np.ndarray) -> DetectionCounts:
    """True/false positives and negatives of boolean arrays of the same shape."""
    flagged, gold = np.asarray(flagged, dtype=bool), np.asarray(gold, dtype=bool)
    return DetectionCounts(
        true_positive=int(np.sum(flagged & gold)),
        false_positive=int(np.sum(flagged & ~gold)),
        false_negative=int(np.sum(~flagged & gold)),
        true_negative=int(np.sum(~flagged & ~gold)),
    )


def detection(flagged: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 and F0.5 of ``flagged`` against ``gold`` (0 where undefined), and the share flagged."""
    counted = detection_counts(flagged, gold).metrics()
    precision = float(counted["precision"] or 0.0)
    recall = float(counted["recall"] or 0.0)
    return {
        "precision": precision,
        "recall": recall,
        "f1": float(counted["f1"] or 0.0),
        "f0.5": f_beta(precision, recall, 0.5),
        "flagged_share": float(np.mean(flagged)) if len(flagged) else 0.0,
    }


def pearson(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float | None:
    """Pearson's r, or ``None`` when it is undefined (fewer than 3 pairs, or a constant side)."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def best_threshold(scores: np.ndarray, positive: np.ndarray, beta: float) -> float:
    """Threshold on a score (lower = worse; flagged below it) maximising F-beta for ``positive``."""
    best = (float(np.median(scores)), -1.0)
    for threshold in np.unique(np.quantile(scores, np.linspace(0.005, 0.5, 200))):
        found = detection(scores < threshold, positive)
        value = f_beta(found["precision"], found["recall"], beta)
        if value > best[1]:
            best = (float(threshold), value)
    return best[0]


def word_metrics(scores: np.ndarray, flagged: np.ndarray, accuracy: np.ndarray) -> dict[str, float | None]:
    """Word-level detection against the experts (mispronounced: accuracy <= 6) and the scores' Pearson r."""
    metrics: dict[str, float | None] = dict(detection(flagged, np.asarray(accuracy) <= MISPRONOUNCED_WORD_ACCURACY))
    metrics["word_r"] = pearson(scores, accuracy)
    return metrics
