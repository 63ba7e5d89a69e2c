"""Fit the ``phonetic`` backend's sentence-level fluency and prosody scores on speechocean762's train split.

Reuses the evidence that ``tools/calibrate_phonetic.py`` extracted and cached (PocketSphinx's
analysis and Whisper's evidence of every utterance), scores the words with the shipped
``calibration.json`` as the backend does, adds the delivery features of each reading (alignment
timings, pitch and intensity: :mod:`inference_daemon.backends.phonetic.delivery`), then fits one
soft-target logistic model per sentence label (experts' fluency and prosodic, 0-10). Reports
Pearson r held out by speaker (5 folds) for fluency, prosody and sentence accuracy, next to the
best single feature, and writes ``sentence_scores.json``.

    python tools/calibrate_sentence_scores.py ../shared/data/speechocean762-dev \\
        ../shared/data/speechocean762-train-rest --cache .cache/phonetic
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from inference_daemon.audio import decode_audio
from inference_daemon.backends.phonetic.delivery import DELIVERY_FEATURES, delivery_features
from inference_daemon.backends.phonetic.scoring import default_calibration
from inference_daemon.backends.phonetic.sentence_scores import (
    SENTENCE_SCORES_PATH,
    SentenceScorer,
    flatness_factor,
)
from inference_daemon.calibration.fitting import fit_logistic, speaker_folds
from inference_daemon.calibration.metrics import pearson
from inference_daemon.datasets.speechocean import read_split

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.calibrate_phonetic import FOLDS, RIVAL_MARGIN, extract_folder, feature_set, scored_utterances

log = logging.getLogger("calibrate_sentence_scores")

# The experts' sentence labels, keyed by the document's field names; ``score`` is only measured.
LABELS = {"score": "accuracy", "fluency": "fluency", "prosody": "prosodic"}
SHIPPED = ("fluency", "prosody")
SENTENCE_SCALE = 10.0
# Prosody is scaled down below this percentile of the readings' pitch range (see sentence_scores).
FLAT_PERCENTILE = 0.5
_PITCH_RANGE = DELIVERY_FEATURES.index("pitch_range")


@dataclass(frozen=True)
class SentenceRow:
    """One utterance's delivery features and the experts' sentence labels (0-10)."""

    utt_id: str
    speaker: str
    features: np.ndarray
    labels: dict[str, float]


def sentence_rows(corpus: Path, split: str, cache: Path, jobs: int) -> list[SentenceRow]:
    """Delivery features of every alignable utterance of one folder, words scored as the backend does."""
    extracted = extract_folder(corpus, split, None, jobs, cache, None, True)
    utterances = {u.utt_id: u for u in scored_utterances(corpus, split, extracted)}
    calibration = default_calibration(True)
    models = calibration.models
    features = feature_set(True, calibration.rival_margin if calibration.rival_margin is not None else RIVAL_MARGIN)
    rows = []
    for scored in tqdm(read_split(corpus, split), desc=f"delivery of {corpus.name}"):
        utterance = utterances.get(scored.utterance_id)
        analysis = extracted[scored.utterance_id].analysis if scored.utterance_id in extracted else None
        if utterance is None or utterance.whisper is None or analysis is None:
            continue
        reported = features.reported_words(utterance, models.phone_model, models.word_model, models.word_threshold)
        audio = decode_audio(scored.audio_path.read_bytes())
        labels = {"score": scored.accuracy, "fluency": scored.fluency, "prosody": scored.prosodic}
        rows.append(SentenceRow(
            scored.utterance_id, scored.speaker,
            delivery_features(analysis, audio, len(scored.words), reported.scores),
            {name: float(value) for name, value in labels.items() if value is not None},
        ))
    return rows


def flat_pitch_range(rows: Sequence[SentenceRow]) -> float:
    """The pitch range (semitones) below which a reading is flatter than nearly all in the corpus."""
    return float(np.percentile([r.features[_PITCH_RANGE] for r in rows], FLAT_PERCENTILE))


def fit_score(rows: Sequence[SentenceRow], name: str, l2: float) -> Any:
    features = np.vstack([r.features for r in rows])
    targets = np.asarray([r.labels[name] for r in rows]) / SENTENCE_SCALE
    return fit_logistic(features, targets, DELIVERY_FEATURES, l2)


def cross_validated(rows: list[SentenceRow], name: str, l2: float, folds: int) -> dict[str, Any]:
    """Held-out-speaker Pearson r of the fitted score, and of the best single feature (sign chosen on
    the training folds' correlation, so that it too is honest)."""
    fold_of = np.asarray(speaker_folds(rows, folds))
    gold = np.asarray([r.labels[name] for r in rows])
    features = np.vstack([r.features for r in rows])
    predicted = np.zeros(len(rows))
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        training = [r for r, t in zip(rows, train, strict=True) if t]
        model = fit_score(training, name, l2)
        predicted[test] = model.probabilities(features[test])
        if name == "prosody":  # the flatness rule, its threshold from the training folds too
            flat = flat_pitch_range(training)
            predicted[test] *= [flatness_factor(row, flat) for row in features[test]]
    singles = {feature: pearson(features[:, i], gold) for i, feature in enumerate(DELIVERY_FEATURES)}
    best = max(singles, key=lambda k: abs(singles[k] or 0.0))
    return {"r": pearson(predicted, gold), "best_single_feature": best, "best_single_r": singles[best],
            "mean_word_score_r": singles["mean_word_score"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="+", help="speechocean762-layout folders, fitted on together")
    parser.add_argument("--split", default="train", help="split to fit on (never 'test')")
    parser.add_argument("--cache", type=Path, default=Path(".cache/phonetic"),
                        help="folder of evidence extracted by tools/calibrate_phonetic.py (extracted when absent)")
    parser.add_argument("--jobs", type=int, default=1, help="processes extracting evidence missing from the cache")
    parser.add_argument("--l2", type=float, default=10.0, help="L2 penalty of the logistic regressions")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--output", type=Path, default=SENTENCE_SCORES_PATH)
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.split == "test":
        parser.error("the test split is reserved for evaluation")
    rows = [row for corpus in args.corpus for row in sentence_rows(corpus, args.split, args.cache, args.jobs)]
    log.info("%d utterances, %d speakers", len(rows), len({r.speaker for r in rows}))
    cv = {name: cross_validated(rows, name, args.l2, args.folds) for name in LABELS}
    scorer = SentenceScorer(
        {name: fit_score(rows, name, args.l2) for name in SHIPPED},
        {
            "tool": "tools/calibrate_sentence_scores.py",
            "corpus": "speechocean762 train split: " + " + ".join(corpus.name for corpus in args.corpus),
            "utterances": len(rows),
            "speakers": len({r.speaker for r in rows}),
            "l2": args.l2,
            "speaker_cv": cv,
            "flat_percentile": FLAT_PERCENTILE,
        },
        flat_pitch_range(rows),
    )
    if not args.dry_run:
        scorer.save(args.output)
        log.info("wrote %s", args.output)
    print(json.dumps(cv, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
