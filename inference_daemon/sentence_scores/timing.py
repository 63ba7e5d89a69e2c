"""Features of how a sentence was delivered that any aligner with word timings can compute.

The ``phonetic`` backend's delivery features (:mod:`inference_daemon.backends.phonetic.delivery`) read
PocketSphinx's phone durations and word scores; another backend's phone durations mean something else
(a CTC aligner's phones are one-frame peaks, its words end at their last peak) and its word scores are
on another scale. These features need only what every aligner gives: each word's start and end, the
number of phones of the pronunciation it was aligned with, and the audio. They are chosen to depend
little on where an aligner puts word edges: pauses count only from :data:`LONG_PAUSE_S`, and the
share of time in pauses (the best single feature on PocketSphinx timings) is left out because it
moves with every word edge. On speechocean762, with word edges moved 40 ms inwards as a crude
stand-in for a CTC aligner, the fitted fluency's held-out r stayed 0.74 and its mean moved about one
point; with the pause share, articulation rate and word-duration features in, r fell from 0.75 to
0.72 and the mean moved five points (docs/ctc.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.sentence_scores.pitch_track import pitch_and_intensity as track
from inference_daemon.sentence_scores.pitch_track import track_slice

# What the pitch and intensity track says about a reading, computed by :func:`pitch_features` for
# these timing features and for the phonetic backend's delivery features alike.
PITCH_FEATURES = [
    "voiced_share",  # share of the speech span with a pitch
    "pitch_spread",  # standard deviation of the pitch in semitones
    "pitch_range",  # 90th - 10th percentile of the pitch in semitones
    "pitch_movement",  # mean absolute pitch change between voiced 10 ms frames, semitones
    "word_pitch_spread",  # standard deviation of the words' median pitch, semitones
    "word_intensity_spread",  # standard deviation of the words' peak intensity, dB
    "intensity_spread",  # standard deviation of the intensity over the speech span, dB
]

TIMING_FEATURES = [
    "speech_rate",  # phones per second from the first word's start to the last word's end
    "long_pauses_per_word",  # pauses between words of LONG_PAUSE_S or more, per word read
    "longest_pause",  # log(1 + seconds) of the longest pause between words
    "completeness",  # share of the sentence's words that were read
    *PITCH_FEATURES,
]

# A pause between words this long is heard as a break (speechocean762's experts mark fluency down
# for "long pauses"; ~0.3 s is the usual threshold in fluency research).
LONG_PAUSE_S = 0.3
# Shortest span a word or the reading is taken to last, so that rates stay finite.
MIN_SPAN_S = 0.01


@dataclass(frozen=True)
class WordTiming:
    """One word that was read: seconds from the start of the recording, and its aligned phone count."""

    start_s: float
    end_s: float
    phones: int


def semitone_track(audio: np.ndarray, start_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Pitch in semitones relative to its median (NaN where unvoiced) and intensity in dB, one value per
    10 ms frame of ``audio`` (16 kHz) between ``start_s`` and ``end_s``."""
    frequency, intensity = track(audio[int(start_s * SAMPLE_RATE) : int(end_s * SAMPLE_RATE)])
    voiced = frequency > 0
    semitones = np.full(len(frequency), np.nan)
    if voiced.any():
        semitones[voiced] = 12.0 * np.log2(frequency[voiced] / np.median(frequency[voiced]))
    return semitones, intensity


def finite_std(values: Sequence[float] | np.ndarray) -> float:
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(np.std(finite)) if len(finite) > 1 else 0.0


def pitch_features(semitones: np.ndarray, intensity: np.ndarray, starts: Sequence[float],
                   ends: Sequence[float]) -> list[float]:
    """The values of :data:`PITCH_FEATURES` from a :func:`semitone_track` whose first frame is at
    ``starts[0]``, the words read lasting from ``starts[i]`` to ``ends[i]``."""
    voiced = np.isfinite(semitones)
    steps = np.abs(np.diff(semitones))
    word_pitch = [float(np.nanmedian(s)) if np.isfinite(s).any() else np.nan
                  for s in (track_slice(semitones, a, b, starts[0]) for a, b in zip(starts, ends, strict=True))]
    word_peaks = [float(np.max(s)) for s in (track_slice(intensity, a, b, starts[0])
                                             for a, b in zip(starts, ends, strict=True)) if len(s)]
    return [
        float(voiced.mean()) if len(voiced) else 0.0,
        finite_std(semitones),
        float(np.subtract(*np.percentile(semitones[voiced], [90, 10]))) if voiced.sum() > 1 else 0.0,
        float(np.nanmean(steps)) if np.isfinite(steps).any() else 0.0,
        finite_std(word_pitch),
        finite_std(word_peaks),
        finite_std(intensity),
    ]


def timing_features(words: Sequence[WordTiming], audio: np.ndarray, sentence_words: int) -> np.ndarray:
    """One row of :data:`TIMING_FEATURES`: ``words`` the words read, in order (at least one), ``audio``
    the recording (16 kHz float), ``sentence_words`` the number of words in the sentence."""
    if not words:
        raise ValueError("timing features need at least one word that was read")
    starts = np.asarray([w.start_s for w in words])
    ends = np.maximum(np.asarray([w.end_s for w in words]), starts + MIN_SPAN_S)
    span = max(float(ends[-1] - starts[0]), MIN_SPAN_S)
    gaps = np.maximum(0.0, starts[1:] - ends[:-1])
    semitones, intensity = semitone_track(audio, float(starts[0]), float(ends[-1]))
    return np.asarray([
        sum(w.phones for w in words) / span,
        float((gaps >= LONG_PAUSE_S).sum()) / len(words),
        float(np.log1p(gaps.max())) if len(gaps) else 0.0,
        len(words) / max(sentence_words, 1),
        *pitch_features(semitones, intensity, list(starts), list(ends)),
    ])
