"""The shared calibration format: the phonetic backend's file loads unchanged and scores as its numbers say."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inference_daemon.backends.phonetic.features import feature_names
from inference_daemon.backends.phonetic.scoring import calibration_path, default_calibration
from inference_daemon.calibration import Calibration, CalibrationMismatch, LogisticModel


def _by_hand(model: dict[str, list[float] | float], rows: np.ndarray) -> np.ndarray:
    """sigmoid(w · (x - mean) / scale + b), straight from the JSON numbers."""
    mean, scale, weights = (np.asarray(model[key]) for key in ("mean", "scale", "weights"))
    bias = float(model["bias"])  # type: ignore[arg-type]
    return np.asarray(1.0 / (1.0 + np.exp(-(((rows - mean) / scale) @ weights + bias))))


@pytest.mark.parametrize("with_whisper", [True, False])
def test_phonetic_calibration_file_scores_exactly_as_its_stored_numbers_say(with_whisper: bool) -> None:
    raw = json.loads(calibration_path(with_whisper).read_text(encoding="utf-8"))
    calibration = default_calibration(with_whisper).models
    generator = np.random.default_rng(3)
    phone_features, word_features = feature_names(with_whisper)
    for key, model, width in (("phone_model", calibration.phone_model, len(phone_features)),
                              ("word_model", calibration.word_model, len(word_features))):
        rows = np.asarray(raw[key]["mean"]) + generator.normal(size=(40, width)) * np.asarray(raw[key]["scale"])
        np.testing.assert_allclose(model.probabilities(rows), _by_hand(raw[key], rows), rtol=1e-12)
    assert (calibration.word_threshold, calibration.phone_threshold) == (raw["word_threshold"],
                                                                       raw["phone_threshold"])
    assert calibration.to_json() == raw


def test_saved_calibration_loads_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    shipped = default_calibration(True).models
    shipped.save(path)
    again = Calibration.load(path, *feature_names(True))
    assert again.to_json() == shipped.to_json() and again.decisions == shipped.decisions


def test_a_file_fitted_on_other_features_is_refused_and_names_its_tool(tmp_path: Path) -> None:
    data = default_calibration(False).models.to_json()
    data["word_model"]["features"] = ["renamed", *data["word_model"]["features"][1:]]
    with pytest.raises(CalibrationMismatch, match=r"word model .* rerun tools/calibrate_phonetic\.py"):
        Calibration.from_json(data, *feature_names(False))
    assert Calibration.from_json(data).word_model.features[0] == "renamed"  # no feature list given: no check


def test_thresholds_decide_below_not_at() -> None:
    model = LogisticModel(["x"], np.zeros(1), np.ones(1), np.ones(1), 0.0)
    calibration = Calibration(model, model, word_threshold=40.0, phone_threshold=20.0, provenance={})
    assert calibration.word_mispronounced(39.9) and not calibration.word_mispronounced(40.0)
    assert calibration.phone_wrong(19.9) and not calibration.phone_wrong(20.0)
    assert model.probabilities(np.zeros((0, 1))).shape == (0,)
