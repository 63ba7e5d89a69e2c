"""A recorder that "hears" a prepared WAV file: the one part of the add-on that tests replace."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aqt.qt import QTimer


class FileRecorder:
    """Behaves like the add-on's recorders; on stop, the output is a copy of ``source``."""

    def __init__(self, source: Path, output_path: Path) -> None:
        self.source = source
        self.output_path = output_path
        self._started = 0.0

    def start(self) -> None:
        self._started = time.monotonic()

    def elapsed_s(self) -> float:
        return time.monotonic() - self._started

    def stop(self, on_done: Callable[[Path | None], None]) -> None:
        shutil.copyfile(self.source, self.output_path)
        QTimer.singleShot(0, lambda: on_done(self.output_path))


class FileRecorderFactory:
    """The factory the add-on calls; ``source`` may be changed between recordings."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.made: list[FileRecorder] = []

    def __call__(self, kind: Any, output_path: Path, parent: Any) -> FileRecorder:
        recorder = FileRecorder(self.source, output_path)
        self.made.append(recorder)
        return recorder
