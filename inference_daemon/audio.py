"""Turn an uploaded recording into what every backend expects: 16 kHz mono float32 in [-1, 1].

WAV, FLAC and OGG are decoded by libsndfile (the ``soundfile`` wheel ships it); MP3, WebM and M4A
go through pydub, which needs the ``ffmpeg`` program. Limits are checked here, once, so that a
backend never sees an empty, huge, over-long or silent recording.
"""

from __future__ import annotations

import io
import logging
import shutil
from dataclasses import dataclass

import numpy as np
import soundfile
import soxr

from inference_daemon.errors import (
    AudioTooLong,
    CorruptAudio,
    EmptyAudio,
    FileTooLarge,
    NoSpeech,
    UnsupportedAudioFormat,
)

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
NATIVE_FORMATS = ("wav", "flac", "ogg")
FFMPEG_FORMATS = ("mp3", "webm", "m4a")

# A recording whose loudest 30 ms stays below this level (dBFS) holds no speech worth assessing.
SILENCE_DBFS = -45.0
# ...and so does one with less than this much audio above the level.
MIN_VOICED_S = 0.15


@dataclass(frozen=True)
class AudioLimits:
    """What the daemon accepts; configurable at start-up."""

    max_seconds: float = 30.0
    max_bytes: int = 10 * 1024 * 1024


def sniff_format(data: bytes) -> str | None:
    """Name the container from its first bytes; filenames and MIME types from clients lie too often."""
    head = data[:16]
    if head[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[4:8] == b"ftyp":
        return "m4a"
    return None


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None


def supported_formats() -> list[str]:
    """Formats this installation can decode right now."""
    return list(NATIVE_FORMATS) + (list(FFMPEG_FORMATS) if ffmpeg_available() else [])


def _decode_native(data: bytes) -> tuple[np.ndarray, int]:
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, ValueError) as exc:
        raise CorruptAudio(f"The recording could not be decoded ({exc}). Is the file complete?") from exc
    return samples.mean(axis=1), int(rate)


def _decode_with_ffmpeg(data: bytes, fmt: str) -> tuple[np.ndarray, int]:
    if not ffmpeg_available():
        raise UnsupportedAudioFormat(
            f"{fmt.upper()} recordings need ffmpeg, which is not installed on the daemon's machine. "
            "Install it (Debian/Ubuntu: 'sudo apt-get install ffmpeg', macOS: 'brew install ffmpeg') "
            "or send WAV, FLAC or OGG."
        )
    from pydub import AudioSegment  # imported here: pydub warns at import time when ffmpeg is missing
    from pydub.exceptions import CouldntDecodeError

    try:
        segment = AudioSegment.from_file(io.BytesIO(data), format="mp4" if fmt == "m4a" else fmt)
    except (CouldntDecodeError, IndexError, OSError) as exc:
        raise CorruptAudio(f"The {fmt.upper()} recording could not be decoded. Is the file complete?") from exc
    channels = segment.channels
    raw = np.array(segment.get_array_of_samples(), dtype=np.float32)
    raw /= float(1 << (8 * segment.sample_width - 1))
    return raw.reshape(-1, channels).mean(axis=1), int(segment.frame_rate)


def to_mono_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample mono samples to 16 kHz float32."""
    if rate != SAMPLE_RATE:
        samples = soxr.resample(samples, rate, SAMPLE_RATE)
    return np.clip(samples.astype(np.float32, copy=False), -1.0, 1.0)


def check_speech(samples: np.ndarray) -> None:
    """Reject recordings with no speech: a silent or near-silent file is a microphone problem."""
    frame = int(0.03 * SAMPLE_RATE)
    usable = len(samples) // frame * frame
    if usable == 0:
        raise NoSpeech("The recording is too short to contain speech.")
    frames = samples[:usable].reshape(-1, frame)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    dbfs = 20 * np.log10(rms)
    voiced_s = float(np.sum(dbfs > SILENCE_DBFS)) * frame / SAMPLE_RATE
    if voiced_s < MIN_VOICED_S:
        raise NoSpeech(
            "No speech was heard in the recording: it is silent or very quiet. "
            "Check that the right microphone is selected and speak a little closer to it."
        )


def decode_audio(data: bytes, limits: AudioLimits | None = None) -> np.ndarray:
    """Decode an uploaded recording to 16 kHz mono float32, enforcing size, length and speech checks."""
    limits = limits or AudioLimits()
    if not data:
        raise EmptyAudio("The recording is empty (0 bytes).")
    if len(data) > limits.max_bytes:
        raise FileTooLarge(
            f"The recording is {len(data) / 1e6:.1f} MB; the daemon accepts at most "
            f"{limits.max_bytes / 1e6:.1f} MB."
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedAudioFormat(
            "The recording is not in a supported audio format. Send WAV, FLAC or OGG"
            + (", MP3, WebM or M4A." if ffmpeg_available() else " (MP3, WebM and M4A need ffmpeg).")
        )
    samples, rate = _decode_native(data) if fmt in NATIVE_FORMATS else _decode_with_ffmpeg(data, fmt)
    if samples.size == 0:
        raise EmptyAudio("The recording holds no audio samples.")
    duration = samples.size / rate
    if duration > limits.max_seconds:
        raise AudioTooLong(
            f"The recording is {duration:.1f} s long; the daemon accepts at most {limits.max_seconds:g} s. "
            "Record one sentence at a time."
        )
    mono = to_mono_16k(samples, rate)
    check_speech(mono)
    return mono


def encode_wav(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM WAV bytes, for backends that send audio on (remote servers) and for tests."""
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()
