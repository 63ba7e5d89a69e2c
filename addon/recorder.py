"""Capture the learner's voice to a WAV file: Anki's own recorder, or sounddevice when chosen.

This is the one seam tests replace (:func:`use_recorder_factory`), feeding a prepared file instead
of a microphone. A recorder starts, reports how long it has run, and on stop hands back the WAV it
wrote (or None when nothing usable was captured), always on the main thread.
"""

from __future__ import annotations

import logging
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from aqt.qt import QTimer, QWidget

from .config import RecorderKind

log = logging.getLogger(__name__)

WAV_HEADER_BYTES = 44
SOUNDDEVICE_RATE = 16_000
#: Anki's recorder waits 0.5 s before stopping and writes the file in the background; after this
#: long without its callback it has given up (it shows its own warning and never calls back).
ANKI_STOP_WATCHDOG_MS = 8000


class RecordingUnavailable(Exception):
    """No recording can be made (no microphone, missing library); the message says why."""


class Recorder(Protocol):
    def start(self) -> None: ...

    def elapsed_s(self) -> float: ...

    def stop(self, on_done: Callable[[Path | None], None]) -> None: ...


RecorderFactory = Callable[[RecorderKind, Path, QWidget], Recorder]
_factory_override: RecorderFactory | None = None


def use_recorder_factory(factory: RecorderFactory | None) -> None:
    """Replace how recorders are made (tests, or another add-on); None restores the configured ones."""
    global _factory_override
    _factory_override = factory


def create_recorder(kind: RecorderKind, output_path: Path, parent: QWidget) -> Recorder:
    if _factory_override is not None:
        return _factory_override(kind, output_path, parent)
    if kind is RecorderKind.sounddevice:
        return SoundDeviceRecorder(output_path)
    return AnkiRecorder(output_path, parent)


def _usable(path: Path) -> Path | None:
    return path if path.exists() and path.stat().st_size > WAV_HEADER_BYTES else None


class AnkiRecorder:
    """Anki's Qt Multimedia recorder (``aqt.sound.QtAudioInputRecorder``) without its dialog.

    Every way Qt can fail without a microphone (no input device, a source that gives no device on
    start) becomes :class:`RecordingUnavailable`, so the reviewer shows one clear line instead of
    Anki's error dialog blaming the add-on.
    """

    def __init__(self, output_path: Path, parent: QWidget) -> None:
        import aqt
        from aqt.sound import QtAudioInputRecorder

        _require_input_device()
        try:
            self._recorder = QtAudioInputRecorder(str(output_path), aqt.mw, parent)
        except Exception as exc:  # Qt Multimedia raises many kinds when there is no input device
            raise RecordingUnavailable(f"Anki could not open a microphone ({exc})") from exc
        self._output_path = output_path
        self._parent = parent

    def start(self) -> None:
        try:
            self._recorder.start(lambda: None)
        except Exception as exc:  # e.g. AttributeError: QAudioSource.start() gave no device
            log.warning("Anki's recorder could not start: %r", exc)
            raise RecordingUnavailable(f"no microphone could be opened ({exc})") from exc

    def elapsed_s(self) -> float:
        return self._recorder.duration()

    def stop(self, on_done: Callable[[Path | None], None]) -> None:
        called = False

        def finish(path: Path | None) -> None:
            nonlocal called
            if not called:
                called = True
                on_done(path)

        # Anki's recorder reports its own failures and then does not call back: a watchdog answers None.
        QTimer.singleShot(ANKI_STOP_WATCHDOG_MS, lambda: finish(_usable(self._output_path)))
        try:
            self._recorder.stop(lambda path: finish(_usable(Path(path))))
        except Exception:
            log.exception("Anki's recorder failed to stop")
            QTimer.singleShot(0, lambda: finish(None))


def _require_input_device() -> None:
    """Refuse early, with a message a learner understands, when Qt sees no microphone at all."""
    try:
        from PyQt6.QtMultimedia import QMediaDevices
    except ImportError:  # Qt Multimedia missing from this build: let the recorder try and report
        return
    if not QMediaDevices.audioInputs():
        raise RecordingUnavailable("no microphone was found; connect one, or check that your system lets "
                                   "Anki use it")


class SoundDeviceRecorder:
    """16 kHz mono capture through PortAudio, for systems where Qt Multimedia hears nothing."""

    def __init__(self, output_path: Path) -> None:
        self._output_path = output_path
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._started = 0.0
        self._stream: Any = None

    def start(self) -> None:
        try:
            import sounddevice
        except (ImportError, OSError) as exc:
            raise RecordingUnavailable("the 'sounddevice' recorder needs the sounddevice module and "
                                       f"PortAudio ({exc}); set recorder to 'anki'") from exc

        def collect(data: Any, frames: int, when: Any, status: Any) -> None:
            with self._lock:
                self._chunks.append(bytes(data))

        try:
            self._stream = sounddevice.RawInputStream(samplerate=SOUNDDEVICE_RATE, channels=1, dtype="int16",
                                                      callback=collect)
            self._stream.start()
        except Exception as exc:  # sounddevice.PortAudioError and device errors
            raise RecordingUnavailable(f"no microphone could be opened ({exc})") from exc
        self._started = time.monotonic()

    def elapsed_s(self) -> float:
        return time.monotonic() - self._started

    def stop(self, on_done: Callable[[Path | None], None]) -> None:
        self._stream.stop()
        self._stream.close()
        with self._lock:
            audio = b"".join(self._chunks)
        with wave.open(str(self._output_path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SOUNDDEVICE_RATE)
            out.writeframes(audio)
        QTimer.singleShot(0, lambda: on_done(_usable(self._output_path)))
