"""Apply the phonetic backend's fitted sentence-level scores: the overall score, fluency and prosody (0-100)
from a reading's delivery features.

One soft-target logistic model per score (target: the experts' 0-10 sentence label / 10: accuracy for
the overall ``score``, fluency, prosodic), over the features of :mod:`.delivery`, stored in
``sentence_scores.json`` beside the other calibration files and written by
``tools/calibrate_sentence_scores.py`` from speechocean762's train split. Kept apart from
``calibration.json`` because it is fitted on the word scores that file produces, after it. The file
format and the flat-pitch rule for prosody are shared with the timing-only models of other backends
(:mod:`inference_daemon.sentence_scores`).

The overall score is the experts' sentence accuracy as the model estimates it, never above the mean
of the word scores (:func:`overall_score`): the model leans on delivery too, and a fluent reading
whose words were all flagged must not come out better than its words.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from inference_daemon.backends.phonetic.delivery import DELIVERY_FEATURES
from inference_daemon.sentence_scores import SentenceModels

SENTENCE_SCORES_PATH = Path(__file__).with_name("sentence_scores.json")
# The scores this file may hold, as the feedback document names them.
SENTENCE_SCORES = ("score", "fluency", "prosody")


def overall_score(fitted: float | None, word_scores: Sequence[float] | np.ndarray) -> float:
    """The document's ``score``: the fitted estimate capped at the mean word score; the mean alone when
    there is no fitted model (as before the refit)."""
    mean = float(np.mean(word_scores)) if len(word_scores) else 0.0
    return mean if fitted is None else min(fitted, mean)


@lru_cache(maxsize=1)
def default_sentence_scorer() -> SentenceModels | None:
    """The shipped sentence models, ``None`` when the package has none (fluency and prosody are then null
    and the score is the mean word score)."""
    if not SENTENCE_SCORES_PATH.is_file():
        return None
    return SentenceModels.load(SENTENCE_SCORES_PATH, DELIVERY_FEATURES, SENTENCE_SCORES)
