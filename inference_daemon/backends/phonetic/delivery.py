"""Sentence-level evidence of how a sentence was delivered: timing of the alignment, pitch and energy.

Fluency and prosody are judged on the whole reading, not on words: how fast it went, where it
paused and for how long, how long phones were stretched, how much the pitch moved and how much the
loudness of words differed (stressed against reduced). These features come from the phonetic
backend's alignment (:class:`~.analysis.Analysis`) and a pitch and intensity track
(:mod:`.pitch_track`). Their
names and order are defined here only; the backend and ``tools/calibrate_sentence_scores.py``
both build rows with :func:`delivery_features`, so that the fitted models see what requests produce.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from inference_daemon.backends.phonetic.analysis import Analysis
from inference_daemon.backends.phonetic.decoders import FRAME_S
from inference_daemon.pronunciation.arpabet import VOWELS
from inference_daemon.sentence_scores.timing import (
    LONG_PAUSE_S,
    PITCH_FEATURES,
    finite_std,
    pitch_features,
    semitone_track,
)

DELIVERY_FEATURES = [
    "speech_rate",  # phones per second from the first word's start to the last word's end
    "articulation_rate",  # phones per second of the time spent in words (pauses left out)
    "pause_share",  # share of that span spent between words
    "long_pauses_per_word",  # pauses between words of LONG_PAUSE_S or more, per word read
    "longest_pause",  # log(1 + seconds) of the longest pause between words
    "phone_duration_spread",  # standard deviation of log phone durations (drawls, hesitations in words)
    "long_phone_share",  # share of phones of LONG_PHONE_S or more
    "vowel_npvi",  # normalised pairwise variability of vowel durations (stress-timed rhythm is high)
    "final_lengthening",  # mean phone duration of the last word read over the median phone duration
    "completeness",  # share of the sentence's words that were read
    *PITCH_FEATURES,
    "mean_word_score",  # the backend's own word scores (missing words 0): accuracy colours both
    "min_word_score",
]

# A phone this long is drawn out (a typical phone lasts 60-100 ms).
LONG_PHONE_S = 0.25




def _npvi(durations: list[float]) -> float:
    if len(durations) < 2:
        return 0.0
    pairs = itertools.pairwise(durations)
    return float(100.0 * np.mean([abs(a - b) / ((a + b) / 2) for a, b in pairs]))


def speech_tracks(analysis: Analysis, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pitch (semitones) and intensity track (:func:`~inference_daemon.sentence_scores.timing.semitone_track`)
    of the speech the alignment found, from its first word's start to its last word's end: computed
    once per request for the delivery features and word stress."""
    start, end = analysis.seconds(analysis.words[0].start), analysis.seconds(analysis.words[-1].end)
    return semitone_track(audio, start, end)


def delivery_features(analysis: Analysis, audio: np.ndarray, sentence_words: int,
                      word_scores: Sequence[float] | np.ndarray,
                      tracks: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """One row of :data:`DELIVERY_FEATURES` for a reading: ``analysis`` of ``audio`` (16 kHz float),
    ``sentence_words`` the number of words in the sentence, ``word_scores`` every word's 0-100 score
    as reported (missing words 0); ``tracks`` the :func:`speech_tracks`, when already computed."""
    words = analysis.words
    starts = [analysis.seconds(w.start) for w in words]
    ends = [analysis.seconds(w.end) for w in words]
    span = max(ends[-1] - starts[0], FRAME_S)
    phones = [phone for word in words for phone in word.phones]
    durations = np.asarray([phone.frames * FRAME_S for phone in phones])
    gaps = np.asarray([max(0.0, start - end) for start, end in zip(starts[1:], ends, strict=False)])
    in_words = float(sum(end - start for start, end in zip(starts, ends, strict=True)))
    last_word = np.mean([phone.frames * FRAME_S for phone in words[-1].phones])

    semitones, intensity = tracks if tracks is not None else speech_tracks(analysis, audio)
    scores = np.asarray(word_scores, dtype=np.float64)
    return np.asarray([
        len(phones) / span,
        len(phones) / max(in_words, FRAME_S),
        float(gaps.sum()) / span,
        float((gaps >= LONG_PAUSE_S).sum()) / len(words),
        float(np.log1p(gaps.max())) if len(gaps) else 0.0,
        finite_std(np.log(durations)),
        float(np.mean(durations >= LONG_PHONE_S)),
        _npvi([phone.frames * FRAME_S for phone in phones if phone.phone in VOWELS]),
        float(last_word / np.median(durations)),
        len(words) / max(sentence_words, 1),
        *pitch_features(semitones, intensity, starts, ends),
        float(scores.mean()) if len(scores) else 0.0,
        float(scores.min()) if len(scores) else 0.0,
    ])
