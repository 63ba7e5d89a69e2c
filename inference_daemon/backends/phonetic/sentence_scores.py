"""Apply the fitted sentence-level scores: fluency and prosody (0-100) from a reading's delivery features.

One soft-target logistic model per score (target: the experts' 0-10 sentence label / 10), over the
features of :mod:`.delivery`, stored in ``sentence_scores.json`` beside the other calibration files
and written by ``tools/calibrate_sentence_scores.py`` from speechocean762's train split. Kept apart
from ``calibration.json`` because it is fitted on the word scores that file produces, after it.

Plus one rule the corpus cannot teach: speechocean762's experts mark prosody down for pauses and slow
reading, and hardly any of its readings is flat, so the fitted model gives pitch almost no weight
(pitch range r 0.06 with the experts' prosody on the 600 dev utterances). A reading whose pitch
range is below what nearly every reading in the corpus shows (``flat_pitch_range``, its 0.5th
percentile, stored with the models) has its prosody scaled down in proportion, so that a monotone
reading scores low without pretending that the corpus measured it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from inference_daemon.backends.phonetic.delivery import DELIVERY_FEATURES
from inference_daemon.calibration import CalibrationMismatch, LogisticModel

SENTENCE_SCORES_PATH = Path(__file__).with_name("sentence_scores.json")
# The scores this file may hold, as the feedback document names them.
SENTENCE_SCORES = ("fluency", "prosody")
FLAT_PITCH_KEY = "flat_pitch_range"
# Below this share of voiced frames the pitch track says too little to call a reading flat.
MIN_VOICED_SHARE = 0.1
_PITCH_RANGE = DELIVERY_FEATURES.index("pitch_range")
_VOICED_SHARE = DELIVERY_FEATURES.index("voiced_share")


def flatness_factor(row: np.ndarray, flat_pitch_range: float | None) -> float:
    """1 for a reading with the pitch movement of nearly every corpus reading, less in proportion below."""
    if flat_pitch_range is None or flat_pitch_range <= 0 or row[_VOICED_SHARE] < MIN_VOICED_SHARE:
        return 1.0
    return float(min(1.0, row[_PITCH_RANGE] / flat_pitch_range))


@dataclass(frozen=True)
class SentenceScorer:
    """The fitted model of each sentence score and how it was fitted."""

    models: dict[str, LogisticModel]
    provenance: dict[str, Any]
    flat_pitch_range: float | None = None

    def scores(self, row: np.ndarray) -> dict[str, float]:
        """Each score, 0-100, for one row of :data:`DELIVERY_FEATURES`; prosody with the flatness rule."""
        result = {name: float(100.0 * model.probabilities(row[None, :])[0]) for name, model in self.models.items()}
        if "prosody" in result:
            result["prosody"] *= flatness_factor(row, self.flat_pitch_range)
        return result

    def to_json(self) -> dict[str, Any]:
        return {"models": {name: model.to_json() for name, model in self.models.items()},
                "decisions": {FLAT_PITCH_KEY: self.flat_pitch_range}, "provenance": self.provenance}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SentenceScorer:
        """Read a file; one fitted on other features than :data:`DELIVERY_FEATURES` is refused."""
        data = json.loads(path.read_text(encoding="utf-8"))
        models = {name: LogisticModel.from_json(model) for name, model in data["models"].items()}
        for name, model in models.items():
            if name not in SENTENCE_SCORES:
                raise CalibrationMismatch(f"unknown sentence score {name!r} in {path}")
            if model.features != DELIVERY_FEATURES:
                raise CalibrationMismatch(
                    f"the {name} model in {path} was fitted on other features than the backend computes; "
                    "rerun tools/calibrate_sentence_scores.py"
                )
        flat = data.get("decisions", {}).get(FLAT_PITCH_KEY)
        return cls(models, dict(data.get("provenance", {})), None if flat is None else float(flat))


@lru_cache(maxsize=1)
def default_sentence_scorer() -> SentenceScorer | None:
    """The shipped sentence scorer, ``None`` when the package has none (the scores are then null)."""
    return SentenceScorer.load(SENTENCE_SCORES_PATH) if SENTENCE_SCORES_PATH.is_file() else None
