"""Whisper's input features: 80-bin log-mel spectrogram of 16 kHz audio, in numpy.

CTranslate2 takes the features, not the audio, and torch must stay out of the default install, so
the daemon computes them itself. The definition is Whisper's: 25 ms Hann window (periodic), 10 ms
hop, centred frames with reflect padding, power spectrum, Slaney-style mel filters up to 8 kHz,
log10 floored 8 (log10 units) below the loudest bin, then scaled to about [-1, 1]. A test checks
the result against transformers' ``WhisperFeatureExtractor``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from inference_daemon.audio import SAMPLE_RATE

N_FFT = 400
HOP_LENGTH = 160
# Whisper's encoder is trained on 30 s windows: 3,000 frames of 10 ms.
WINDOW_FRAMES = 3000


def frames_of(samples: int) -> int:
    """Feature frames that cover ``samples`` of audio."""
    return samples // HOP_LENGTH


def _hz_to_mel(hz: float | np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


@lru_cache(maxsize=4)
def mel_filters(n_mels: int) -> np.ndarray:
    """Triangular, area-normalised mel filters, ``[n_mels, N_FFT // 2 + 1]``."""
    fft_hz = np.linspace(0.0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_hz = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), n_mels + 2))
    widths = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    filters *= (2.0 / (mel_hz[2:] - mel_hz[:-2]))[:, None]
    return filters.astype(np.float32)


@lru_cache(maxsize=1)
def _hann_window() -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def log_mel(audio: np.ndarray, frames: int, n_mels: int = 80) -> np.ndarray:
    """``[n_mels, frames]`` features of ``audio`` (16 kHz mono), zero-padded or cut to ``frames``."""
    samples = np.zeros(frames * HOP_LENGTH, dtype=np.float32)
    clip = np.asarray(audio, dtype=np.float32)[: len(samples)]
    samples[: len(clip)] = clip
    padded = np.pad(samples, N_FFT // 2, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP_LENGTH][:frames]
    power = np.abs(np.fft.rfft(windows * _hann_window(), axis=-1)) ** 2
    mel = mel_filters(n_mels) @ power.T.astype(np.float32)
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return np.ascontiguousarray((log_spec + 4.0) / 4.0, dtype=np.float32)
