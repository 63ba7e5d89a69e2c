"""Pitch and intensity of a recording, 10 ms frames, in numpy: what the prosody features read.

A normalised autocorrelation pitch tracker (the principle of Boersma 1993, as in Praat, without its
path search): each 40 ms frame's autocorrelation, computed by FFT and corrected for the shrinking
overlap, is searched between the lags of 500 Hz and 60 Hz; the shortest lag that comes within
:data:`OCTAVE_TOLERANCE` of the best one is taken (so a subharmonic does not halve the pitch), with
parabolic interpolation. A frame is voiced when that peak is strong and the frame is not far below
the loudest one. On espeak-ng readings its pitch range agrees with Praat's within 0.1 semitone.
Written here instead of taking ``praat-parselmouth`` (GPL-3.0, linked in-process;
the daemon is MIT and runs GPL code only as separate programs) or librosa (pulls scipy and numba):
the prosody features need a robust pitch range and movement, not Praat's exact contour.
"""

from __future__ import annotations

import numpy as np

from inference_daemon.audio import SAMPLE_RATE

FRAME_STEP_S = 0.01
WINDOW_S = 0.04
PITCH_FLOOR_HZ = 60.0
PITCH_CEILING_HZ = 500.0
# A frame is voiced when its normalised autocorrelation peak reaches this (Praat's default
# voicing threshold is 0.45 on a comparable scale)...
VOICING_THRESHOLD = 0.5
# ... and it is within this many dB of the loudest frame (background noise is not voiced).
SILENCE_DB = 35.0
# Intensity is floored this many dB below the loudest frame: quieter is silence, whatever its level
# (digital zeros would otherwise read as -120 dB and swamp the intensity spread).
INTENSITY_RANGE_DB = 60.0
# Lags whose correlation is within this share of the best peak count as that peak (octave errors).
OCTAVE_TOLERANCE = 0.9


def _frames(samples: np.ndarray) -> np.ndarray:
    window = int(WINDOW_S * SAMPLE_RATE)
    step = int(FRAME_STEP_S * SAMPLE_RATE)
    if len(samples) < window:
        return np.zeros((0, window))
    return np.lib.stride_tricks.sliding_window_view(samples, window)[::step]


def pitch_and_intensity(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pitch in Hz (0 where unvoiced) and intensity in dB, one value per 10 ms frame of 16 kHz ``samples``."""
    frames = _frames(np.asarray(samples, dtype=np.float64))
    if len(frames) == 0:
        return np.zeros(0), np.zeros(0)
    frames = frames - frames.mean(axis=1, keepdims=True)
    length = frames.shape[1]
    energy = np.mean(frames**2, axis=1)
    intensity = 10.0 * np.log10(energy + 1e-12)
    intensity = np.maximum(intensity, intensity.max() - INTENSITY_RANGE_DB)
    low, high = int(SAMPLE_RATE / PITCH_CEILING_HZ), int(SAMPLE_RATE / PITCH_FLOOR_HZ)
    # Zero-padded past the longest lag searched, so that the circular correlation does not wrap.
    size = 1 << int(np.ceil(np.log2(length + high + 2)))
    spectrum = np.fft.rfft(frames, size, axis=1)
    correlation = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, size, axis=1)[:, : high + 2]
    lags = np.arange(high + 2)
    # Unbiased: each lag's sum has length - lag terms.
    normalised = correlation / np.maximum(correlation[:, :1], 1e-12) * (length / (length - lags))
    searched = normalised[:, low - 1 : high + 2]
    inner = searched[:, 1:-1]
    best = inner.max(axis=1)
    # The shortest lag at a local maximum within OCTAVE_TOLERANCE of the best peak.
    peaks = (inner >= searched[:, :-2]) & (inner >= searched[:, 2:]) & (inner >= OCTAVE_TOLERANCE * best[:, None])
    lag = np.where(peaks.any(axis=1), np.argmax(peaks, axis=1), np.argmax(inner, axis=1)) + low
    # Parabolic interpolation around the chosen lag.
    rows = np.arange(len(frames))
    left = normalised[rows, np.maximum(lag - 1, 0)]
    centre = normalised[rows, lag]
    right = normalised[rows, lag + 1]
    curvature = left - 2 * centre + right
    shift = np.where(np.abs(curvature) > 1e-12, 0.5 * (left - right) / np.where(curvature == 0, 1, curvature), 0.0)
    frequency = SAMPLE_RATE / (lag + np.clip(shift, -0.5, 0.5))
    voiced = (best >= VOICING_THRESHOLD) & (intensity >= intensity.max() - SILENCE_DB)
    return np.where(voiced, frequency, 0.0), intensity


def track_slice(track: np.ndarray, start_s: float, end_s: float, origin_s: float) -> np.ndarray:
    """The frames of a pitch or intensity ``track`` (its first frame at ``origin_s``) between two
    times; at least one frame."""
    first = max(0, round((start_s - origin_s) / FRAME_STEP_S))
    return track[first : max(first + 1, round((end_s - origin_s) / FRAME_STEP_S))]


def voiced_seconds(semitones: np.ndarray) -> float:
    """Seconds of a semitone track (NaN where unvoiced, one value per frame) that have a pitch."""
    return float(np.isfinite(semitones).sum() * FRAME_STEP_S)
