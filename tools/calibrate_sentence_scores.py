"""Fit the sentence-level scores on speechocean762's train split: the ``phonetic`` backend's overall score,
fluency and prosody, and the timing-only fluency and prosody other backends use.

Reuses the evidence that ``tools/calibrate_phonetic.py`` extracted and cached (PocketSphinx's
analysis and Whisper's evidence of every utterance), scores the words with the shipped
``calibration.json`` and ``word_stress.json`` as the backend does (a word flagged for its stress
scores under the threshold), and computes two rows per reading: the phonetic backend's
delivery features (alignment timings, pitch and intensity, its word scores:
:mod:`inference_daemon.backends.phonetic.delivery`) and the timing-only features any aligner gives
(:mod:`inference_daemon.sentence_scores.timing`). Then one soft-target logistic model per sentence
label (experts' accuracy, fluency and prosodic, 0-10) on each, with Pearson r held out by speaker
(5 folds) next to the best single feature and the mean word score (the overall score before the
refit). The timing-only models are also checked on the same readings with every word edge moved
:data:`EDGE_SHIFT_S` inwards, a crude stand-in for an aligner whose words end at their last CTC
peak. Writes ``sentence_scores.json`` (phonetic) and ``timing_scores.json`` (shared).

    python tools/calibrate_sentence_scores.py ../shared/data/speechocean762-dev \\
        ../shared/data/speechocean762-train-rest --cache .cache/phonetic
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference_daemon.backends.phonetic.analysis import Analysis
from inference_daemon.backends.phonetic.backend import PhoneticBackend
from inference_daemon.backends.phonetic.delivery import DELIVERY_FEATURES, delivery_features
from inference_daemon.backends.phonetic.scoring import default_calibration
from inference_daemon.backends.phonetic.sentence_scores import SENTENCE_SCORES, SENTENCE_SCORES_PATH, overall_score
from inference_daemon.calibration import LogisticModel
from inference_daemon.calibration.fitting import fit_logistic, speaker_folds
from inference_daemon.calibration.metrics import pearson
from inference_daemon.pronunciation import target_words
from inference_daemon.sentence_scores import TIMING_FEATURES, TIMING_SCORES_PATH, SentenceModels, WordTiming
from inference_daemon.sentence_scores.pitch_track import voiced_seconds
from inference_daemon.sentence_scores.timing import timing_features
from inference_daemon.sentence_scores.timing_scores import TIMING_SCORES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.calibrate_phonetic import FOLDS, add_cached_corpus_arguments, scored_readings

log = logging.getLogger("calibrate_sentence_scores")

# The experts' sentence label behind each score the document names.
LABELS = {"score": "accuracy", "fluency": "fluency", "prosody": "prosodic"}
SENTENCE_SCALE = 10.0
# Prosody is scaled down below this percentile of the readings' pitch range (see sentence_scores.models).
FLAT_PERCENTILE = 0.5
# How far every word edge moves inwards in the timing-only models' robustness check.
EDGE_SHIFT_S = 0.04
_MEAN_WORD_SCORE = DELIVERY_FEATURES.index("mean_word_score")


@dataclass(frozen=True)
class SentenceRow:
    """One utterance's feature rows and the experts' sentence labels (0-10), keyed by the document's names."""

    utt_id: str
    speaker: str
    delivery: np.ndarray
    timing: np.ndarray
    timing_shifted: np.ndarray  # the timing row with every word edge moved EDGE_SHIFT_S inwards
    labels: dict[str, float]
    voiced_s: float  # seconds of the reading with a pitch (the flat-pitch rule needs enough of it)


@dataclass(frozen=True)
class ModelSet:
    """The models of one file: which scores, over which features, read from which row of a reading."""

    scores: tuple[str, ...]
    features: list[str]
    row: Callable[[SentenceRow], np.ndarray]


PHONETIC = ModelSet(SENTENCE_SCORES, DELIVERY_FEATURES, lambda r: r.delivery)
TIMING = ModelSet(TIMING_SCORES, TIMING_FEATURES, lambda r: r.timing)


def word_timings(analysis: Analysis, shift_s: float = 0.0) -> list[WordTiming]:
    """The aligned words as any aligner reports them; ``shift_s`` moves both edges of each word inwards."""
    timings = []
    for word in analysis.words:
        start, end = analysis.seconds(word.start) + shift_s, analysis.seconds(word.end) - shift_s
        timings.append(WordTiming(start, max(end, start), len(word.phones)))
    return timings


def with_stress_errors(scores: np.ndarray, text: str, analysis: Analysis, tracks: tuple[np.ndarray, np.ndarray],
                       threshold: float) -> np.ndarray:
    """The reported word scores after the backend's word-stress check: a word flagged for its stress
    scores just under the word threshold."""
    targets, scores = target_words(text), scores.copy()
    if len(targets) != len(scores):  # the corpus split the text otherwise: its words cannot be matched
        return scores
    for aligned in analysis.words:
        if PhoneticBackend.word_stress_error(targets[aligned.index], aligned, analysis, tracks,
                                             float(scores[aligned.index])) is not None:
            scores[aligned.index] = min(scores[aligned.index], threshold - 0.1)
    return scores


def sentence_rows(corpus: Path, split: str, cache: Path, jobs: int) -> list[SentenceRow]:
    """Both feature rows of every alignable utterance of one folder, words scored as the backend does."""
    threshold = default_calibration(True).models.word_threshold
    rows = []
    for reading in scored_readings(corpus, split, cache, jobs, None, "delivery"):
        scored, analysis, audio, tracks = reading.scored, reading.analysis, reading.audio, reading.tracks
        scores = with_stress_errors(reading.word_scores, scored.text, analysis, tracks, threshold)
        labels = {"score": scored.accuracy, "fluency": scored.fluency, "prosody": scored.prosodic}
        rows.append(SentenceRow(
            scored.utterance_id, scored.speaker,
            delivery_features(analysis, audio, len(scored.words), scores, tracks),
            timing_features(word_timings(analysis), audio, len(scored.words)),
            timing_features(word_timings(analysis, EDGE_SHIFT_S), audio, len(scored.words)),
            {name: float(value) for name, value in labels.items() if value is not None},
            voiced_seconds(tracks[0]),
        ))
    return rows


def flat_pitch_range(rows: Sequence[SentenceRow]) -> float:
    """The pitch range (semitones) below which a reading is flatter than nearly all in the corpus."""
    return float(np.percentile([r.timing[TIMING_FEATURES.index("pitch_range")] for r in rows], FLAT_PERCENTILE))


def fit_models(rows: Sequence[SentenceRow], model_set: ModelSet, l2: float,
               provenance: dict[str, Any]) -> SentenceModels:
    """One model per score of ``model_set`` on ``rows``, with the flat-pitch threshold of the same rows."""
    matrix = np.vstack([model_set.row(r) for r in rows])
    models: dict[str, LogisticModel] = {}
    stretch: dict[str, tuple[float, float]] = {}
    for name in model_set.scores:
        targets = np.asarray([r.labels[name] for r in rows]) / SENTENCE_SCALE
        models[name] = fit_logistic(matrix, targets, model_set.features, l2)
        stretch[name] = stretch_to(100.0 * models[name].probabilities(matrix), 100.0 * targets)
    return SentenceModels(model_set.features, models, provenance, flat_pitch_range(rows), stretch)


def stretch_to(estimates: np.ndarray, experts: np.ndarray) -> tuple[float, float]:
    """(offset, slope) mapping the estimates onto the experts' mean and spread (see sentence_scores.models)."""
    slope = float(np.std(experts) / max(float(np.std(estimates)), 1e-9))
    return float(np.mean(experts) - slope * np.mean(estimates)), slope


def shipped_score(models: SentenceModels, name: str, row: np.ndarray, model_set: ModelSet,
                  voiced_s: float | None = None) -> float:
    """The score as the backend reports it (the phonetic overall score capped at the mean word score)."""
    value = models.scores(row, voiced_s)[name]
    if model_set is PHONETIC and name == "score":
        value = overall_score(value, [row[_MEAN_WORD_SCORE]])
    return value


def cross_validated(rows: list[SentenceRow], model_set: ModelSet, l2: float, folds: int) -> dict[str, Any]:
    """Held-out-speaker Pearson r of each score as shipped (rules and thresholds from the training folds),
    the best single feature, and for the timing-only set the same models on the shifted word edges."""
    fold_of = np.asarray(speaker_folds(rows, folds))
    predicted = {name: np.zeros(len(rows)) for name in model_set.scores}
    shifted = {name: np.zeros(len(rows)) for name in model_set.scores}
    for fold in range(folds):
        training = [r for r, f in zip(rows, fold_of, strict=True) if f != fold]
        models = fit_models(training, model_set, l2, {})
        for i in np.flatnonzero(fold_of == fold):
            for name in model_set.scores:
                predicted[name][i] = shipped_score(models, name, model_set.row(rows[i]), model_set, rows[i].voiced_s)
                if model_set is TIMING:
                    shifted[name][i] = shipped_score(models, name, rows[i].timing_shifted, model_set, rows[i].voiced_s)
    matrix = np.vstack([model_set.row(r) for r in rows])
    report: dict[str, Any] = {}
    for name in model_set.scores:
        gold = np.asarray([r.labels[name] for r in rows])
        singles = {feature: pearson(matrix[:, i], gold) for i, feature in enumerate(model_set.features)}
        best = max(singles, key=lambda k: abs(singles[k] or 0.0))
        report[name] = {"r": pearson(predicted[name], gold), "best_single_feature": best,
                        "best_single_r": singles[best], "mean": float(predicted[name].mean()),
                        "mean_absolute_error": float(np.mean(np.abs(predicted[name] - SENTENCE_SCALE * gold))),
                        # How often a reading scores 75 and 85 or more, against how often the experts
                        # gave 8 and 9 or more (their labels are whole numbers: 8 stands for 7.5-8.5),
                        # and how often it reaches 90 ("excellent" in the summaries).
                        "share_75_or_more": float(np.mean(predicted[name] >= 75)),
                        "experts_share_8_or_more": float(np.mean(gold >= 8)),
                        "share_85_or_more": float(np.mean(predicted[name] >= 85)),
                        "experts_share_9_or_more": float(np.mean(gold >= 9)),
                        "share_90_or_more": float(np.mean(predicted[name] >= 90))}
        if "mean_word_score" in singles:
            report[name]["mean_word_score_r"] = singles["mean_word_score"]
        if model_set is TIMING:
            report[name]["edges_shifted_r"] = pearson(shifted[name], gold)
            report[name]["edges_shifted_mean_change"] = float((shifted[name] - predicted[name]).mean())
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_cached_corpus_arguments(parser)
    parser.add_argument("--l2", type=float, default=10.0, help="L2 penalty of the logistic regressions")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--output", type=Path, default=SENTENCE_SCORES_PATH, help="the phonetic backend's models")
    parser.add_argument("--timing-output", type=Path, default=TIMING_SCORES_PATH, help="the timing-only models")
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    rows = [row for corpus in args.corpus for row in sentence_rows(corpus, args.split, args.cache, args.jobs)]
    log.info("%d utterances, %d speakers", len(rows), len({r.speaker for r in rows}))
    provenance = {
        "tool": "tools/calibrate_sentence_scores.py",
        "corpus": "speechocean762 train split: " + " + ".join(corpus.name for corpus in args.corpus),
        "utterances": len(rows),
        "speakers": len({r.speaker for r in rows}),
        "l2": args.l2,
        "flat_percentile": FLAT_PERCENTILE,
    }
    report = {}
    for model_set, output, timings in ((PHONETIC, args.output, "phonetic backend's delivery features"),
                                       (TIMING, args.timing_output, f"phonetic backend's word timings; "
                                        f"edges_shifted: every word edge {EDGE_SHIFT_S} s inwards")):
        cv = cross_validated(rows, model_set, args.l2, args.folds)
        report[output.name] = cv
        models = fit_models(rows, model_set, args.l2, {**provenance, "features_from": timings, "speaker_cv": cv})
        if not args.dry_run:
            models.save(output)
            log.info("wrote %s", output)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
