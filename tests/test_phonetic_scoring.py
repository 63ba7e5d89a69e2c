"""The phonetic backend's calibration file: it loads, matches the features, and its models behave."""

from __future__ import annotations

import json

import numpy as np

from inference_daemon.backends.phonetic.features import PHONE_FEATURES, WORD_FEATURES
from inference_daemon.backends.phonetic.scoring import CALIBRATION_PATH, Calibration, default_calibration


def test_shipped_calibration_loads_and_round_trips() -> None:
    calibration = default_calibration()
    assert calibration.phone_model.features == PHONE_FEATURES
    assert calibration.word_model.features == WORD_FEATURES
    again = Calibration.from_json(json.loads(json.dumps(calibration.to_json())))
    rows = np.random.default_rng(1).normal(size=(5, len(WORD_FEATURES)))
    assert np.allclose(again.word_model.logits(rows), calibration.word_model.logits(rows))
    assert "speaker_cv" in json.loads(CALIBRATION_PATH.read_text())["provenance"]


def test_word_score_rises_with_the_worst_phone() -> None:
    """More confident phones must never lower a word's score (the fitted weight is positive)."""
    model = default_calibration().word_model
    base = model.mean.copy()
    better = base.copy()
    better[WORD_FEATURES.index("min_phone_logit")] += 2 * model.scale[WORD_FEATURES.index("min_phone_logit")]
    assert model.probabilities(better[None, :])[0] > model.probabilities(base[None, :])[0]


def test_probabilities_stay_between_zero_and_one() -> None:
    model = default_calibration().phone_model
    rows = np.random.default_rng(2).normal(scale=50, size=(20, len(PHONE_FEATURES)))
    probabilities = model.probabilities(rows)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
