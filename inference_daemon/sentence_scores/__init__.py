"""Sentence-level scores any backend can give: the fitted-model file format and the timing-only scorer.

Fluency and prosody are judged on the whole reading. The ``phonetic`` backend fits its own models over
its rich delivery features (:mod:`inference_daemon.backends.phonetic.sentence_scores`); a backend that
only has word timings (``ctc``, and later others) uses the timing-only models of :mod:`.timing_scores`,
fitted on the same corpus from the phonetic backend's alignments. Both are stored as
:class:`.models.SentenceModels`, so that loading, the feature check and the flat-pitch rule are one code.
"""

from inference_daemon.sentence_scores.models import SentenceModels, flatness_factor
from inference_daemon.sentence_scores.timing import TIMING_FEATURES, WordTiming, timing_features
from inference_daemon.sentence_scores.timing_scores import TIMING_SCORES_PATH, default_timing_scorer, timing_scores

__all__ = [
    "TIMING_FEATURES",
    "TIMING_SCORES_PATH",
    "SentenceModels",
    "WordTiming",
    "default_timing_scorer",
    "flatness_factor",
    "timing_features",
    "timing_scores",
]
