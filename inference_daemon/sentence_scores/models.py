"""Fitted sentence-level scores as data: one logistic model per score over a named feature row, plus the
flat-pitch rule, stored as JSON beside the backend that uses them.

Each model is a soft-target logistic regression (target: the experts' 0-10 sentence label / 10). Its
estimate regresses to the mean, as any least-squares estimate does: on the train split the best
readings came out near 85 where the experts gave 100, and "excellent" (90 or more) became
unreachable. So each score is then stretched linearly (``stretch``: offset and slope, fitted on the
same readings) until its mean and spread are the experts': a score of 90 is about as frequent as the
experts' 9. Pearson r does not change (the map is linear); the absolute error grows a little. Loading
checks the file against the features the caller computes and the scores it may hold, so a file fitted
on other features is refused instead of misread.

The flat-pitch rule covers what speechocean762 cannot teach: its experts mark prosody down for pauses
and slow reading, and hardly any of its readings is flat, so a fitted model gives pitch almost no
weight. A reading whose pitch range is below what nearly every corpus reading shows
(``flat_pitch_range``, stored with the models) has its prosody scaled down in proportion, so that a
monotone reading scores low without pretending that the corpus measured it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inference_daemon.calibration import CalibrationMismatch, LogisticModel

FLAT_PITCH_KEY = "flat_pitch_range"
STRETCH_KEY = "stretch"
# Below this share of voiced frames the pitch track says too little to call a reading flat...
MIN_VOICED_SHARE = 0.1
# ... and below this much voiced speech: a one-word reading ("car", a handful of voiced frames) has
# no room for a pitch range, and its prosody was zeroed where the experts gave 10.
MIN_VOICED_S = 0.5


def flatness_factor(pitch_range: float, voiced_share: float, flat_pitch_range: float | None,
                    voiced_s: float | None = None) -> float:
    """1 for a reading with the pitch movement of nearly every corpus reading, less in proportion below;
    1 when too little of it was voiced to tell (``voiced_s``: seconds with a pitch, when known)."""
    too_short = voiced_s is not None and voiced_s < MIN_VOICED_S
    if flat_pitch_range is None or flat_pitch_range <= 0 or voiced_share < MIN_VOICED_SHARE or too_short:
        return 1.0
    return float(min(1.0, pitch_range / flat_pitch_range))


@dataclass(frozen=True)
class SentenceModels:
    """The fitted model of each sentence score, the features they read and how they were fitted."""

    features: list[str]
    models: dict[str, LogisticModel]
    provenance: dict[str, Any]
    flat_pitch_range: float | None = None
    # Per score, (offset, slope) from the model's 0-100 estimate to the experts' scale; absent: none.
    stretch: dict[str, tuple[float, float]] = field(default_factory=dict)

    def estimates(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Each model's own 0-100 estimate for feature rows, before the stretch and the flat-pitch rule."""
        return {name: 100.0 * model.probabilities(rows) for name, model in self.models.items()}

    def scores(self, row: np.ndarray, voiced_s: float | None = None) -> dict[str, float]:
        """Each score, 0-100, for one feature row: stretched to the experts' scale; prosody with the
        flat-pitch rule (``voiced_s``: seconds of the reading with a pitch, when the caller knows)."""
        result = {}
        for name, estimate in self.estimates(row[None, :]).items():
            offset, slope = self.stretch.get(name, (0.0, 1.0))
            result[name] = float(np.clip(offset + slope * estimate[0], 0.0, 100.0))
        if "prosody" in result:
            result["prosody"] *= self.flatness(row, voiced_s)
        return result

    def flatness(self, row: np.ndarray, voiced_s: float | None = None) -> float:
        """:func:`flatness_factor` of a row (1 when the features hold no pitch range)."""
        if "pitch_range" not in self.features or "voiced_share" not in self.features:
            return 1.0
        return flatness_factor(float(row[self.features.index("pitch_range")]),
                               float(row[self.features.index("voiced_share")]), self.flat_pitch_range, voiced_s)

    def to_json(self) -> dict[str, Any]:
        return {"models": {name: model.to_json() for name, model in self.models.items()},
                "decisions": {FLAT_PITCH_KEY: self.flat_pitch_range,
                              STRETCH_KEY: {name: list(pair) for name, pair in self.stretch.items()}},
                "provenance": self.provenance}

    def save(self, path: Path) -> None:
        """Write the JSON form (one value per line at most, so that refits make readable diffs)."""
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, features: Sequence[str], names: Sequence[str]) -> SentenceModels:
        """Read a file; a model of a score not in ``names``, or fitted on other ``features``, is refused."""
        data = json.loads(path.read_text(encoding="utf-8"))
        models = {name: LogisticModel.from_json(model) for name, model in data["models"].items()}
        tool = data.get("provenance", {}).get("tool", "its calibration tool")
        for name, model in models.items():
            if name not in names:
                raise CalibrationMismatch(f"unknown sentence score {name!r} in {path}")
            if model.features != list(features):
                raise CalibrationMismatch(
                    f"the {name} model in {path} was fitted on other features than the backend computes; rerun {tool}"
                )
        decisions = data.get("decisions", {})
        flat = decisions.get(FLAT_PITCH_KEY)
        stretch = {name: (float(pair[0]), float(pair[1])) for name, pair in decisions.get(STRETCH_KEY, {}).items()}
        if unknown := sorted(set(stretch) - set(models)):
            raise CalibrationMismatch(f"{path} stretches scores it has no model for: {unknown}")
        return cls(list(features), models, dict(data.get("provenance", {})), None if flat is None else float(flat),
                   stretch)
