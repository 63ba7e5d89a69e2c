"""Apply the fitted calibration: per-phone and per-word logistic models that turn evidence into 0-100.

Two calibrations ship beside this module, both written by ``tools/calibrate_phonetic.py`` from
speechocean762's train split: ``calibration.json`` for PocketSphinx + Whisper evidence (the
default install) and ``calibration_pocketsphinx.json`` for PocketSphinx alone (Whisper's runtime or
model missing, or ``--no-whisper``). The format and the fitting are shared by every backend
(:mod:`inference_daemon.calibration`); the phonetic file adds the decision ``whisper_rival_margin``:
the delta above which a Whisper competitor flags the word with its error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from inference_daemon.backends.phonetic.features import feature_names
from inference_daemon.calibration import Calibration

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
POCKETSPHINX_CALIBRATION_PATH = Path(__file__).with_name("calibration_pocketsphinx.json")
RIVAL_MARGIN_KEY = "whisper_rival_margin"


@dataclass(frozen=True)
class PhoneticCalibration:
    """The shared calibration plus the phonetic backend's own decision: when a competitor wins."""

    models: Calibration
    rival_margin: float | None

    def rival_wins(self, delta: float | None) -> bool:
        """Whether a Whisper competitor with this delta (:attr:`RivalScore.delta`) is what was heard."""
        return delta is not None and self.rival_margin is not None and delta > self.rival_margin


def calibration_path(with_whisper: bool) -> Path:
    return CALIBRATION_PATH if with_whisper else POCKETSPHINX_CALIBRATION_PATH


@lru_cache(maxsize=2)
def default_calibration(with_whisper: bool = True) -> PhoneticCalibration:
    """The calibration shipped with the package for the evidence in use."""
    models = Calibration.load(calibration_path(with_whisper), *feature_names(with_whisper))
    return PhoneticCalibration(models, models.decisions.get(RIVAL_MARGIN_KEY))
