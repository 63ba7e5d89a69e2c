"""Apply the fitted calibration: per-phone and per-word logistic models that turn evidence into 0-100.

The parameters live in ``calibration.json`` beside this module, written by
``tools/calibrate_phonetic.py`` from the speechocean762 development subset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from inference_daemon.backends.phonetic.features import PHONE_FEATURES, WORD_FEATURES

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class LogisticModel:
    """Standardise the features, then a logistic regression: ``sigmoid(w · (x - mean) / scale + b)``."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def logits(self, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return np.zeros(0)
        return np.asarray(((rows - self.mean) / self.scale) @ self.weights + self.bias, dtype=np.float64)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logits(rows), -500.0, 500.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogisticModel:
        return cls(
            features=list(data["features"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            weights=np.asarray(data["weights"], dtype=np.float64),
            bias=float(data["bias"]),
        )


@dataclass(frozen=True)
class Calibration:
    """Both models and the decision thresholds on their 0-100 scores."""

    phone_model: LogisticModel
    word_model: LogisticModel
    word_threshold: float
    phone_threshold: float
    provenance: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "phone_model": self.phone_model.to_json(),
            "word_model": self.word_model.to_json(),
            "word_threshold": self.word_threshold,
            "phone_threshold": self.phone_threshold,
            "provenance": self.provenance,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        calibration = cls(
            phone_model=LogisticModel.from_json(data["phone_model"]),
            word_model=LogisticModel.from_json(data["word_model"]),
            word_threshold=float(data["word_threshold"]),
            phone_threshold=float(data["phone_threshold"]),
            provenance=dict(data.get("provenance", {})),
        )
        if calibration.phone_model.features != PHONE_FEATURES or calibration.word_model.features != WORD_FEATURES:
            raise ValueError("calibration.json was fitted on other features; rerun tools/calibrate_phonetic.py")
        return calibration

    def word_mispronounced(self, word_score: float) -> bool:
        return word_score < self.word_threshold

    def phone_wrong(self, phone_score: float) -> bool:
        return phone_score < self.phone_threshold


@lru_cache(maxsize=1)
def default_calibration() -> Calibration:
    """The calibration shipped with the package."""
    return Calibration.from_json(json.loads(CALIBRATION_PATH.read_text(encoding="utf-8")))
