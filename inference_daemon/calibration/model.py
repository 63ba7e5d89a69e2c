"""A backend's fitted scorer as data: per-phone and per-word logistic models and their decision thresholds.

Every backend that calibrates on human ratings stores one :class:`Calibration` as JSON beside its
code, written by its ``tools/calibrate_<backend>.py``. The backend owns its feature lists; loading
checks the file against them, so a file fitted on other features is refused instead of misread.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


class CalibrationMismatch(ValueError):
    """The calibration file was fitted on other features than the backend computes."""



def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Probabilities from a model's logits (clipped so that exp never overflows)."""
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -500.0, 500.0)))

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
        return sigmoid(self.logits(rows))

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
    """Both models and the decision thresholds on their 0-100 scores; ``provenance`` says how it was
    fitted; ``decisions`` holds a backend's own further decision parameters by name."""

    phone_model: LogisticModel
    word_model: LogisticModel
    word_threshold: float
    phone_threshold: float
    provenance: dict[str, Any]
    decisions: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {
            "phone_model": self.phone_model.to_json(),
            "word_model": self.word_model.to_json(),
            "word_threshold": self.word_threshold,
            "phone_threshold": self.phone_threshold,
            "provenance": self.provenance,
        }
        if self.decisions:
            data["decisions"] = self.decisions
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], phone_features: Sequence[str] | None = None,
                  word_features: Sequence[str] | None = None) -> Calibration:
        """Read the JSON form; given the features a backend computes, refuse a file fitted on others."""
        calibration = cls(
            phone_model=LogisticModel.from_json(data["phone_model"]),
            word_model=LogisticModel.from_json(data["word_model"]),
            word_threshold=float(data["word_threshold"]),
            phone_threshold=float(data["phone_threshold"]),
            provenance=dict(data.get("provenance", {})),
            decisions={str(k): float(v) for k, v in data.get("decisions", {}).items()},
        )
        for kind, fitted, expected in (("phone", calibration.phone_model.features, phone_features),
                                       ("word", calibration.word_model.features, word_features)):
            if expected is not None and fitted != list(expected):
                tool = calibration.provenance.get("tool", "its calibration tool")
                raise CalibrationMismatch(
                    f"the calibration's {kind} model was fitted on other features than the backend computes "
                    f"({len(fitted)} vs {len(expected)}); rerun {tool}"
                )
        return calibration

    @classmethod
    def load(cls, path: Path, phone_features: Sequence[str] | None = None,
             word_features: Sequence[str] | None = None) -> Calibration:
        """:meth:`from_json` on a file."""
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")), phone_features, word_features)

    def save(self, path: Path) -> None:
        """Write the JSON form (one value per line at most, so that refits make readable diffs)."""
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    def word_mispronounced(self, word_score: float) -> bool:
        return word_score < self.word_threshold

    def phone_wrong(self, phone_score: float) -> bool:
        return phone_score < self.phone_threshold
