"""Real audio files for daemon tests: speech from espeak-ng, plus signals for the edge cases."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import soundfile


def espeak_wav(text: str, path: Path, voice: str = "en-us", monotone: bool = False) -> Path:
    """Speak ``text`` into a WAV file with espeak-ng (22.05 kHz mono, as espeak writes it); ``monotone``
    turns its pitch variation off (SSML prosody range 0 %), for a flat reading."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    command = ["espeak-ng", "-v", voice, "-w", str(path), text]
    if monotone:
        command[-1:] = ["-m", f'<speak><prosody range="0%">{escape(text)}</prosody></speak>']
    subprocess.run(command, check=True, capture_output=True)
    return path


def signal_bytes(seconds: float, rate: int = 16_000, channels: int = 1, fmt: str = "WAV",
                 amplitude: float = 0.3) -> bytes:
    """A voiced-like signal (a 150 Hz buzz with harmonics) in the given container."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    wave = (amplitude * wave / np.max(np.abs(wave))).astype(np.float32)
    data = np.stack([wave] * channels, axis=1)
    buffer = io.BytesIO()
    soundfile.write(buffer, data, rate, format=fmt)
    return buffer.getvalue()


def silence_bytes(seconds: float = 2.0, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros(int(seconds * rate), dtype=np.float32), rate, format="WAV")
    return buffer.getvalue()


def ffmpeg_encode(wav: bytes, fmt: str) -> bytes:
    """Encode WAV bytes to mp3/webm/m4a with ffmpeg (tests skip when it is absent)."""
    codec = {"mp3": ["-f", "mp3"], "webm": ["-c:a", "libopus", "-f", "webm"],
             "m4a": ["-c:a", "aac", "-movflags", "frag_keyframe+empty_moov", "-f", "mp4"]}
    result = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", "pipe:0", *codec[fmt], "pipe:1"],
                            input=wav, capture_output=True, check=True)
    return result.stdout
