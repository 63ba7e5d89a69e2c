"""Fitted scorers shared by the backends: the stored model (:mod:`.model`), its fitting (:mod:`.fitting`)
and the figures it is judged by (:mod:`.metrics`).

A backend defines its own features and keeps its own calibration file and ``tools/calibrate_<backend>.py``;
the format, the fitting and the metrics are the same for all.
"""

from inference_daemon.calibration.model import Calibration, CalibrationMismatch, LogisticModel, sigmoid

__all__ = ["Calibration", "CalibrationMismatch", "LogisticModel", "sigmoid"]
