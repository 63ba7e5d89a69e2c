"""Fluency and prosody from word timings alone, for backends without a sentence model of their own.

The models in ``timing_scores.json`` read :data:`~.timing.TIMING_FEATURES` and were fitted by
``tools/calibrate_sentence_scores.py`` on speechocean762's train split, from the ``phonetic`` backend's
word timings (no real speech has been run through a CTC phoneme model here, so no backend-specific
model could be fitted). A backend calls :func:`timing_scores` with the words it found; the figures
hold for aligners whose word edges are like PocketSphinx's, which the features were chosen to
depend little on.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from inference_daemon.sentence_scores.models import SentenceModels
from inference_daemon.sentence_scores.timing import TIMING_FEATURES, WordTiming, timing_features

TIMING_SCORES_PATH = Path(__file__).with_name("timing_scores.json")
# The scores the timing-only file may hold, as the feedback document names them. The overall score is
# not among them: without word scores on a known scale, timing says little about accuracy.
TIMING_SCORES = ("fluency", "prosody")


@lru_cache(maxsize=1)
def default_timing_scorer() -> SentenceModels | None:
    """The shipped timing-only models, ``None`` when the package has none (the scores are then null)."""
    if not TIMING_SCORES_PATH.is_file():
        return None
    return SentenceModels.load(TIMING_SCORES_PATH, TIMING_FEATURES, TIMING_SCORES)


def timing_scores(words: Sequence[WordTiming], audio: np.ndarray, sentence_words: int) -> dict[str, float | None]:
    """Fluency and prosody, 0-100, of a reading whose words read are ``words``; null without a word read
    (nothing to time) or without the fitted file."""
    scorer = default_timing_scorer()
    if scorer is None or not words:
        return {name: None for name in TIMING_SCORES}
    row = timing_features(words, audio, sentence_words)
    voiced_s = float(row[TIMING_FEATURES.index("voiced_share")]) * max(words[-1].end_s - words[0].start_s, 0.0)
    scores = scorer.scores(row, voiced_s)
    return {name: scores.get(name) for name in TIMING_SCORES}
