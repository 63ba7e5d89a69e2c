"""Apply the fitted calibration: per-phone and per-word logistic models that turn evidence into 0-100.

The parameters live in ``calibration.json`` beside this module, written by
``tools/calibrate_phonetic.py`` from the speechocean762 development subset; the format and the
fitting are shared by every backend (:mod:`inference_daemon.calibration`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from inference_daemon.backends.phonetic.features import PHONE_FEATURES, WORD_FEATURES
from inference_daemon.calibration import Calibration

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")


@lru_cache(maxsize=1)
def default_calibration() -> Calibration:
    """The calibration shipped with the package."""
    return Calibration.load(CALIBRATION_PATH, PHONE_FEATURES, WORD_FEATURES)
