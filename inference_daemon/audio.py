"""Turn an uploaded recording into what every backend expects: 16 kHz mono float32 in [-1, 1].

WAV, FLAC and OGG are decoded by libsndfile (the ``soundfile`` wheel ships it); MP3, WebM and M4A
go through the ``ffmpeg`` program. Limits are checked here, once, so that a backend never sees an
empty, huge, over-long or silent recording.

Why decoding is bounded: a compressed upload can expand enormously (a 1.4 MB FLAC can hold an hour
of 8-channel silence, gigabytes once decoded), and a header can claim any length. So the length the
container declares is checked before anything is decoded, and then at most ``max_seconds`` plus a
margin is decoded, block by block, whatever the header says. What went wrong inside a decoder goes
to the log; the learner gets a plain sentence.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
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

# Decoding stops this far past the length limit: enough to tell an over-long recording from one at
# the limit, without decoding the rest.
DECODE_MARGIN_S = 1.0
# libsndfile decodes at most this many samples (all channels together) at a time, so that a header
# claiming many channels costs one bounded block, not its whole length.
DECODE_BLOCK_SAMPLES = 1 << 18
# No microphone records faster; a higher declared rate only inflates the decoded size.
MAX_SAMPLE_RATE = 192_000
# ffprobe/ffmpeg on a bounded input finish in well under a second; a hung decoder must not hold a
# worker thread.
FFMPEG_TIMEOUT_S = 30.0
# What libsndfile reports as the length of a stream that declares none (a FLAC written to a pipe).
_UNKNOWN_FRAMES = 2**63 - 1
_DAMAGED = "The recording could not be decoded: the file is damaged or incomplete."


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


def _too_long(limits: AudioLimits, seconds: float | None = None) -> AudioTooLong:
    """The 413 for a recording of ``seconds`` (None: longer than the limit, by how much is unknown)."""
    length = f"{seconds:.1f} s long" if seconds is not None else "longer than that"
    return AudioTooLong(
        f"The daemon accepts recordings of at most {limits.max_seconds:g} s; this one is {length}. "
        "Record one sentence at a time."
    )


def _decode_native(data: bytes, limits: AudioLimits) -> tuple[np.ndarray, int]:
    """Mono samples and rate by libsndfile: header checked first, then at most the limit decoded."""
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sound:
            rate, channels, declared_frames = int(sound.samplerate), int(sound.channels), int(sound.frames)
            if rate <= 0 or channels <= 0:
                raise CorruptAudio(_DAMAGED)
            if rate > MAX_SAMPLE_RATE:
                raise UnsupportedAudioFormat(
                    f"The recording's sample rate is {rate} Hz; the daemon accepts at most "
                    f"{MAX_SAMPLE_RATE // 1000} kHz. Record at 16, 44.1 or 48 kHz."
                )
            if declared_frames != _UNKNOWN_FRAMES and declared_frames / rate > limits.max_seconds:
                raise _too_long(limits, declared_frames / rate)
            budget = int((limits.max_seconds + DECODE_MARGIN_S) * rate)
            mono = np.empty(budget, dtype=np.float32)
            block = max(1, DECODE_BLOCK_SAMPLES // channels)
            kept = 0
            while kept < budget:
                chunk = sound.read(min(block, budget - kept), dtype="float32", always_2d=True)
                if len(chunk) == 0:
                    break
                mono[kept:kept + len(chunk)] = chunk.mean(axis=1)
                kept += len(chunk)
    except MemoryError:
        log.warning("decoding a %d-byte upload ran out of memory", len(data))
        raise AudioTooLong(
            f"The recording is too large to decode; the daemon accepts at most {limits.max_seconds:g} s."
        ) from None
    except (RuntimeError, soundfile.LibsndfileError, ValueError, TypeError, OverflowError) as exc:
        log.info("libsndfile could not decode a %d-byte upload: %s", len(data), exc)
        raise CorruptAudio(_DAMAGED) from None
    return mono[:kept], rate


def _probe_seconds(path: str) -> float | None:
    """The duration the container declares, by ffprobe; None when it declares none or ffprobe is absent."""
    if shutil.which("ffprobe") is None:
        return None
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", path],
        capture_output=True, text=True, timeout=FFMPEG_TIMEOUT_S, check=False,
    )
    try:
        return float(result.stdout.strip())
    except ValueError:  # "N/A" or nothing: the stream is measured by decoding it (bounded by -t)
        return None


def _decode_with_ffmpeg(data: bytes, fmt: str, limits: AudioLimits) -> tuple[np.ndarray, int]:
    """Mono 16 kHz samples by ffmpeg, in its own process: declared length checked, output capped by ``-t``."""
    if not ffmpeg_available():
        raise UnsupportedAudioFormat(
            f"{fmt.upper()} recordings need ffmpeg, which is not installed on the daemon's machine. "
            "Install it (Debian/Ubuntu: 'sudo apt-get install ffmpeg', macOS: 'brew install ffmpeg') "
            "or send WAV, FLAC or OGG."
        )
    # A file, not a pipe: MP4 keeps its index at the end, which ffmpeg must seek to.
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as source:
        source.write(data)
        source.flush()
        try:
            declared = _probe_seconds(source.name)
            if declared is not None and declared > limits.max_seconds:
                raise _too_long(limits, declared)
            cap_s = f"{limits.max_seconds + DECODE_MARGIN_S:g}"
            result = subprocess.run(
                ["ffmpeg", "-nostdin", "-v", "error", "-i", source.name, "-t", cap_s, "-vn", "-ac", "1",
                 "-ar", str(SAMPLE_RATE), "-f", "f32le", "pipe:1"],
                capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            log.warning("ffmpeg took over %g s on a %d-byte %s upload", FFMPEG_TIMEOUT_S, len(data), fmt)
            raise CorruptAudio(_DAMAGED) from None
    if result.returncode != 0:
        log.info("ffmpeg could not decode a %d-byte %s upload: %s", len(data), fmt,
                 result.stderr.decode(errors="replace").strip()[-500:])
        raise CorruptAudio(f"The {fmt.upper()} recording could not be decoded: the file is damaged or incomplete.")
    return np.frombuffer(result.stdout, dtype=np.float32), SAMPLE_RATE


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
    if fmt in NATIVE_FORMATS:
        samples, rate = _decode_native(data, limits)
    else:
        samples, rate = _decode_with_ffmpeg(data, fmt, limits)
    if samples.size == 0:
        raise EmptyAudio("The recording holds no audio samples.")
    duration = samples.size / rate
    if duration > limits.max_seconds:  # the header claimed less than the stream holds, or nothing
        raise _too_long(limits)
    mono = to_mono_16k(samples, rate)
    check_speech(mono)
    return mono


def encode_wav(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM WAV bytes, for backends that send audio on (remote servers) and for tests."""
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()
