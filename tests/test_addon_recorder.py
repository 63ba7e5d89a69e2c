"""Recorders: the seam tests use, and a clear refusal when there is no microphone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.anki_support.addon_import import addon_module
from tests.anki_support.file_recorder import FileRecorder, FileRecorderFactory

recorder = addon_module("recorder")
config = addon_module("config")


def test_a_replaced_factory_makes_the_recorders_until_restored(tmp_path: Path) -> None:
    factory = FileRecorderFactory(tmp_path / "voice.wav")
    recorder.use_recorder_factory(factory)
    try:
        made = recorder.create_recorder(config.RecorderKind.anki, tmp_path / "out.wav", None)
        assert isinstance(made, FileRecorder) and factory.made == [made]
    finally:
        recorder.use_recorder_factory(None)
    assert isinstance(recorder.create_recorder(config.RecorderKind.sounddevice, tmp_path / "out.wav", None),
                      recorder.SoundDeviceRecorder)


def test_sounddevice_without_a_microphone_says_so(tmp_path: Path) -> None:
    try:
        import sounddevice
    except (ImportError, OSError):
        pytest.skip("sounddevice or PortAudio (Debian: libportaudio2) is not installed")
    try:
        sounddevice.query_devices(kind="input")
        pytest.skip("this machine has a microphone")
    except (ValueError, sounddevice.PortAudioError):
        pass
    with pytest.raises(recorder.RecordingUnavailable, match="no microphone"):
        recorder.SoundDeviceRecorder(tmp_path / "out.wav").start()
