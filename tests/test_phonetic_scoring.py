"""The phonetic backend's calibration files (with and without Whisper): they load, match the
features, and their models behave."""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference_daemon.backends.phonetic.features import feature_names
from inference_daemon.backends.phonetic.scoring import RIVAL_MARGIN_KEY, calibration_path, default_calibration
from inference_daemon.calibration import Calibration

BOTH = pytest.mark.parametrize("with_whisper", [True, False], ids=["whisper", "pocketsphinx"])


@BOTH
def test_shipped_calibration_loads_and_round_trips(with_whisper: bool) -> None:
    calibration = default_calibration(with_whisper).models
    phone_features, word_features = feature_names(with_whisper)
    assert calibration.phone_model.features == phone_features
    assert calibration.word_model.features == word_features
    again = Calibration.from_json(json.loads(json.dumps(calibration.to_json())))
    rows = np.random.default_rng(1).normal(size=(5, len(word_features)))
    assert np.allclose(again.word_model.logits(rows), calibration.word_model.logits(rows))
    provenance = json.loads(calibration_path(with_whisper).read_text())["provenance"]
    assert "speaker_cv" in provenance and provenance["utterances"] > 2000


def test_only_the_whisper_calibration_lets_a_competitor_win() -> None:
    assert default_calibration(True).models.decisions[RIVAL_MARGIN_KEY] == default_calibration(True).rival_margin
    assert default_calibration(False).rival_margin is None and not default_calibration(False).rival_wins(50.0)


@BOTH
def test_word_score_rises_with_the_worst_phone(with_whisper: bool) -> None:
    """More confident phones must never lower a word's score (the fitted weight is positive)."""
    model = default_calibration(with_whisper).models.word_model
    column = model.features.index("min_phone_logit")
    base = model.mean.copy()
    better = base.copy()
    better[column] += 2 * model.scale[column]
    assert model.probabilities(better[None, :])[0] > model.probabilities(base[None, :])[0]


def test_a_competitor_whisper_prefers_lowers_the_word_score() -> None:
    model = default_calibration(True).models.word_model
    column = model.features.index("whisper_best_delta")
    base = model.mean.copy()
    worse = base.copy()
    worse[column] += 2 * model.scale[column]
    assert model.probabilities(worse[None, :])[0] < model.probabilities(base[None, :])[0]


@BOTH
def test_probabilities_stay_between_zero_and_one(with_whisper: bool) -> None:
    model = default_calibration(with_whisper).models.phone_model
    rows = np.random.default_rng(2).normal(scale=50, size=(20, len(model.features)))
    probabilities = model.probabilities(rows)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
