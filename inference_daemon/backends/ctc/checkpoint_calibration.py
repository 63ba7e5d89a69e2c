"""Find the fitted scorer of the loaded CTC checkpoint: a calibration holds for the checkpoint it was fitted on only.

A calibration file (:class:`inference_daemon.calibration.Calibration`) records in its provenance
the model it was fitted on and that checkpoint's fingerprint
(:func:`.model.checkpoint_fingerprint`). The backend searches a folder (by default
``calibrations/`` beside this module) for the file whose fingerprint matches the loaded model; a
file named explicitly must match. Without one, the backend scores by its fixed rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from inference_daemon.backends.ctc.features import PHONE_FEATURES, WORD_FEATURES
from inference_daemon.calibration import Calibration, CalibrationMismatch

CALIBRATIONS_DIR = Path(__file__).with_name("calibrations")


def checkpoint_record(model_name: str, fingerprint: str) -> dict[str, str]:
    """What a calibration's provenance says about its checkpoint (under ``checkpoint``)."""
    return {"model": model_name, "fingerprint": fingerprint}


def file_name_for(model_name: str) -> str:
    """A readable file name for a model id or folder: ``facebook/wav2vec2-x`` → ``facebook--wav2vec2-x.json``."""
    path = Path(model_name)
    stem = path.name if path.exists() else model_name.strip("/").replace("/", "--")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem) + ".json"


def _fitted_fingerprint(data: dict[str, Any]) -> str | None:
    checkpoint = data.get("provenance", {}).get("checkpoint", {})
    return checkpoint.get("fingerprint") if isinstance(checkpoint, dict) else None


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def find_calibration(fingerprint: str, location: Path = CALIBRATIONS_DIR) -> tuple[Calibration, Path] | None:
    """The calibration fitted on the checkpoint with ``fingerprint`` and its file, or ``None``.

    ``location`` is a folder to search or one file, which must have been fitted on this checkpoint
    (:class:`CalibrationMismatch` otherwise, as for a file fitted on other features).
    """
    if location.is_file():
        data = _read(location)
        if _fitted_fingerprint(data) != fingerprint:
            raise CalibrationMismatch(f"{location} was fitted on another checkpoint than the one loaded")
        return Calibration.from_json(data, PHONE_FEATURES, WORD_FEATURES), location
    for path in sorted(location.glob("*.json")) if location.is_dir() else ():
        data = _read(path)
        if _fitted_fingerprint(data) == fingerprint:
            return Calibration.from_json(data, PHONE_FEATURES, WORD_FEATURES), path
    return None
