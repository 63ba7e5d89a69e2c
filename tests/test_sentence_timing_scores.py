"""The timing-only sentence scores that backends without a model of their own use (``ctc`` today).

Hand-built word timings over synthetic voices: the features respond to pauses and pitch as they
should, the shipped models load, refuse a file fitted on other features, and turn a long pause into
lower fluency and a flat pitch into lower prosody. The ``ctc`` backend's use of them is pinned in
``tests/test_ctc_backend.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.calibration import CalibrationMismatch
from inference_daemon.sentence_scores import (
    TIMING_FEATURES,
    TIMING_SCORES_PATH,
    SentenceModels,
    WordTiming,
    default_timing_scorer,
    timing_features,
    timing_scores,
)
from inference_daemon.sentence_scores.timing_scores import TIMING_SCORES

# Five words of four phones, 0.3 s each, 50 ms apart.
CLOSE = [WordTiming(0.2 + 0.35 * i, 0.5 + 0.35 * i, 4) for i in range(5)]


def _voice(seconds: float, glide_semitones: float) -> np.ndarray:
    """A harmonic voice around 150 Hz gliding by +-``glide_semitones`` twice a second."""
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    semitones = glide_semitones * np.sin(2 * np.pi * 2.0 * t)
    phase = 2 * np.pi * np.cumsum(150.0 * 2 ** (semitones / 12)) / SAMPLE_RATE
    return np.asarray(0.2 * sum(np.sin(k * phase) / k for k in range(1, 6)), dtype=np.float32)


def _features(words: list[WordTiming], audio: np.ndarray, sentence_words: int = 5) -> dict[str, float]:
    return dict(zip(TIMING_FEATURES, timing_features(words, audio, sentence_words), strict=True))


def _with_pause(seconds: float) -> list[WordTiming]:
    """:data:`CLOSE` with a pause of ``seconds`` more after the second word."""
    return [w if i < 2 else WordTiming(w.start_s + seconds, w.end_s + seconds, w.phones) for i, w in enumerate(CLOSE)]


def test_a_long_pause_shows_in_the_timing_features() -> None:
    audio = _voice(5.0, 2.0)
    close, paused = _features(CLOSE, audio), _features(_with_pause(1.0), audio)
    assert close["long_pauses_per_word"] == 0 and paused["long_pauses_per_word"] == pytest.approx(1 / 5)
    assert paused["longest_pause"] == pytest.approx(np.log1p(1.05))
    assert paused["speech_rate"] < close["speech_rate"]
    assert close["completeness"] == 1.0 and _features(CLOSE[:2], audio)["completeness"] == pytest.approx(0.4)


def test_the_pitch_features_see_a_glide_and_a_monotone() -> None:
    gliding, flat = _features(CLOSE, _voice(3.0, 2.0)), _features(CLOSE, _voice(3.0, 0.0))
    assert gliding["voiced_share"] > 0.8 and flat["voiced_share"] > 0.8
    assert gliding["pitch_range"] > 2.5 and flat["pitch_range"] < 0.3


def test_the_shipped_timing_models_turn_pauses_and_a_flat_pitch_into_lower_scores() -> None:
    audio = _voice(5.0, 2.0)
    fluent, paused = timing_scores(CLOSE, audio, 5), timing_scores(_with_pause(1.5), audio, 5)
    monotone = timing_scores(CLOSE, _voice(5.0, 0.0), 5)
    for scores in (fluent, paused, monotone):
        assert set(scores) == {"fluency", "prosody"}
        assert all(value is not None and 0 <= value <= 100 for value in scores.values()), scores
    assert paused["fluency"] is not None and fluent["fluency"] is not None
    assert paused["fluency"] < fluent["fluency"] - 5, (fluent, paused)
    assert monotone["prosody"] is not None and fluent["prosody"] is not None
    assert monotone["prosody"] < fluent["prosody"] / 2, (fluent, monotone)  # the flat-pitch rule


def test_nothing_read_means_no_timing_scores() -> None:
    assert timing_scores([], _voice(1.0, 2.0), 5) == {"fluency": None, "prosody": None}
    with pytest.raises(ValueError):
        timing_features([], _voice(1.0, 2.0), 5)


def test_the_shipped_timing_models_were_fitted_on_the_features_computed_and_say_how(tmp_path: Path) -> None:
    scorer = default_timing_scorer()
    assert scorer is not None and set(scorer.models) == set(TIMING_SCORES)
    assert scorer.provenance["utterances"] >= 2000 and scorer.flat_pitch_range is not None
    for name in TIMING_SCORES:
        cv = scorer.provenance["speaker_cv"][name]
        assert cv["r"] > 0.6, (name, cv)
        assert "edges_shifted_r" in cv  # how much the figures depend on where the aligner puts word edges
    data = scorer.to_json()
    data["models"]["fluency"]["features"] = [*TIMING_FEATURES, "pause_share"]
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CalibrationMismatch):
        SentenceModels.load(stale, TIMING_FEATURES, TIMING_SCORES)
    with pytest.raises(CalibrationMismatch, match="unknown sentence score"):
        SentenceModels.load(TIMING_SCORES_PATH, TIMING_FEATURES, ("fluency",))
