"""Fit the ``phonetic`` backend's scoring models on speechocean762 development speech, by speaker CV.

Extracts per-phone evidence with the backend's own acoustic passes (cached, since that is the slow
part), fits the phone model (soft target: experts' phone accuracy / 2) and the word model (soft
target: word accuracy / 10) as L2-regularised logistic regressions in numpy, cross-validates both by
speaker, prints the held-out metrics next to naive baselines, and writes ``calibration.json``.

    python tools/calibrate_phonetic.py ../shared/data/speechocean762-dev
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from inference_daemon.audio import decode_audio
from inference_daemon.backends.phonetic.analysis import analyse
from inference_daemon.backends.phonetic.backend import word_pronunciations
from inference_daemon.backends.phonetic.decoders import thread_decoders
from inference_daemon.backends.phonetic.errors import judge_word
from inference_daemon.backends.phonetic.features import (
    PHONE_FEATURES,
    WORD_FEATURES,
    PhoneEvidence,
    phone_features,
    word_features,
)
from inference_daemon.backends.phonetic.phone_loop import HeardPhone
from inference_daemon.backends.phonetic.scoring import CALIBRATION_PATH, Calibration, LogisticModel
from inference_daemon.datasets.speechocean import (
    MISPRONOUNCED_PHONE_SCORE,
    MISPRONOUNCED_WORD_ACCURACY,
    ScoredUtterance,
    read_split,
)
from inference_daemon.feedback import WordStatus
from inference_daemon.pronunciation import target_words

log = logging.getLogger("calibrate_phonetic")

FOLDS = 5
# The shipped word threshold maximises F0.5 (precision weighs more than recall): a learner who sees
# correct words flagged stops trusting the feedback. The F1 operating point is reported beside it.
SHIPPED_BETA = 0.5


@dataclass
class Utterance:
    """One scored utterance with the evidence of the words found in it (``found``: their positions)."""

    utt_id: str
    speaker: str
    found: list[int]
    evidence: list[list[PhoneEvidence]]
    heard: list[HeardPhone]
    phone_accuracy: list[list[float]]
    word_accuracy: list[float]

    @property
    def found_accuracy(self) -> list[float]:
        return [self.word_accuracy[i] for i in self.found]

    def missing_by_silence(self, flagged: list[bool]) -> list[bool]:
        """Which found words the backend would report ``missing`` given which of them it flags."""
        return [
            judge_word(evidence, [False] * len(evidence), flag, self.heard).status is WordStatus.missing
            for evidence, flag in zip(self.evidence, flagged, strict=True)
        ]


def _candidates(utterance: ScoredUtterance) -> list[list[list[str]]]:
    """Per word: the corpus's phones, then the lexicon's other variants of the same length (so that the
    experts' per-phone scores still line up with the aligned phones)."""
    targets = target_words(utterance.text)
    candidates = []
    for position, word in enumerate(utterance.words):
        canonical = list(word.phones)
        variants = word_pronunciations(targets[position]) if len(targets) == len(utterance.words) else []
        candidates.append([canonical, *(v for v in variants if len(v) == len(canonical) and v != canonical)])
    return candidates


def extract(corpus: Path, split: str, cache: Path | None) -> list[Utterance]:
    """Evidence for every utterance of the split, with the experts' labels; unalignable ones are dropped."""
    if cache and cache.exists():
        with cache.open("rb") as handle:
            cached: list[Utterance] = pickle.load(handle)
        return cached
    decoders = thread_decoders()
    utterances = []
    for scored in tqdm(read_split(corpus, split), desc="extracting evidence"):
        audio = decode_audio(scored.audio_path.read_bytes())
        analysis = analyse(decoders, audio, _candidates(scored))
        if analysis is None:
            log.warning("%s could not be aligned; left out", scored.utterance_id)
            continue
        found = [word.index for word in analysis.words]
        if len(found) < len(scored.words):
            log.info("%s: %d of %d words found", scored.utterance_id, len(found), len(scored.words))
        utterances.append(
            Utterance(
                scored.utterance_id,
                scored.speaker,
                found,
                analysis.evidence,
                analysis.heard,
                [list(scored.words[i].phone_scores) for i in found],
                [w.accuracy for w in scored.words],
            )
        )
    if cache:
        with cache.open("wb") as handle:
            pickle.dump(utterances, handle)
    return utterances


def fit_logistic(rows: np.ndarray, targets: np.ndarray, features: list[str], l2: float) -> LogisticModel:
    """L2-regularised logistic regression with soft targets in [0, 1], by Newton's method."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    design = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    coef = np.zeros(design.shape[1])
    for _ in range(50):
        prob = 1.0 / (1.0 + np.exp(-(design @ coef)))
        gradient = design.T @ (prob - targets) + penalty * coef
        hessian = (design * (prob * (1 - prob))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        coef -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return LogisticModel(features, mean, scale, coef[:-1], float(coef[-1]))


def _phone_rows(utterances: list[Utterance]) -> tuple[np.ndarray, np.ndarray]:
    rows = np.vstack([phone_features(u.evidence) for u in utterances])
    labels = np.asarray([a for u in utterances for word in u.phone_accuracy for a in word])
    return rows, labels


def _word_rows(utterances: list[Utterance], phone_model: LogisticModel) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and word accuracy of the words found (the only ones the models see)."""
    rows = np.vstack(
        [word_features(u.evidence, phone_model.logits(phone_features(u.evidence)), u.heard) for u in utterances]
    )
    labels = np.asarray([a for u in utterances for a in u.found_accuracy])
    return rows, labels


def fit(utterances: list[Utterance], l2: float) -> tuple[LogisticModel, LogisticModel]:
    phone_rows, phone_labels = _phone_rows(utterances)
    phone_model = fit_logistic(phone_rows, phone_labels / 2.0, PHONE_FEATURES, l2)
    word_rows, word_labels = _word_rows(utterances, phone_model)
    word_model = fit_logistic(word_rows, word_labels / 10.0, WORD_FEATURES, l2)
    return phone_model, word_model


def f_beta(precision: float, recall: float, beta: float) -> float:
    weight = beta * beta
    return (1 + weight) * precision * recall / max(weight * precision + recall, 1e-12)


def detection(predicted: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    true_positive = float(np.sum(predicted & gold))
    precision = true_positive / max(float(np.sum(predicted)), 1.0)
    recall = true_positive / max(float(np.sum(gold)), 1.0)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f_beta(precision, recall, 1.0),
        "f0.5": f_beta(precision, recall, 0.5),
        "flagged_share": float(np.mean(predicted)),
    }


def best_threshold(scores: np.ndarray, positive: np.ndarray, beta: float) -> float:
    """Threshold on a score (lower = worse) maximising F-beta for ``positive``."""
    best = (float(np.median(scores)), -1.0)
    for threshold in np.unique(np.quantile(scores, np.linspace(0.005, 0.5, 200))):
        found = detection(scores < threshold, positive)
        value = f_beta(found["precision"], found["recall"], beta)
        if value > best[1]:
            best = (float(threshold), value)
    return best[0]


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def speaker_folds(utterances: list[Utterance], folds: int) -> list[int]:
    speakers = sorted({u.speaker for u in utterances})
    order = np.random.default_rng(7).permutation(len(speakers))
    fold_of = {speakers[i]: rank % folds for rank, i in enumerate(order)}
    return [fold_of[u.speaker] for u in utterances]


@dataclass
class SentenceScores:
    """One utterance's word scores as the backend reports them (words not found: 0; missing: flagged)."""

    scores: np.ndarray
    gold: np.ndarray
    missing: np.ndarray


def _sentence_scores(utterance: Utterance, found_scores: np.ndarray, threshold: float) -> SentenceScores:
    scores = np.zeros(len(utterance.word_accuracy))
    missing = np.ones(len(utterance.word_accuracy), dtype=bool)
    silent = utterance.missing_by_silence([bool(s < threshold) for s in found_scores])
    for position, score, is_silent in zip(utterance.found, found_scores, silent, strict=True):
        scores[position] = score
        missing[position] = is_silent
    return SentenceScores(scores, np.asarray(utterance.word_accuracy), missing)


def _fold_metrics(
    scored: list[tuple[SentenceScores, float]], phone_scores: np.ndarray, phone_gold: np.ndarray
) -> dict[str, float]:
    flagged = np.concatenate([s.missing | (s.scores < threshold) for s, threshold in scored])
    gold = np.concatenate([s.gold for s, _ in scored])
    metrics = detection(flagged, gold <= MISPRONOUNCED_WORD_ACCURACY)
    metrics["word_r"] = pearson(np.concatenate([s.scores for s, _ in scored]), gold)
    metrics["phone_r"] = pearson(phone_scores, phone_gold)
    return metrics


def cross_validate(utterances: list[Utterance], l2: float, folds: int, betas: list[float]) -> dict[str, Any]:
    """Speaker-held-out metrics at each operating point; thresholds are chosen on the training folds."""
    fold_of = speaker_folds(utterances, folds)
    scored: dict[float, list[tuple[SentenceScores, float]]] = {beta: [] for beta in betas}
    phone_scores, phone_gold = [], []
    for fold in range(folds):
        train = [u for u, f in zip(utterances, fold_of, strict=True) if f != fold]
        test = [u for u, f in zip(utterances, fold_of, strict=True) if f == fold]
        phone_model, word_model = fit(train, l2)
        train_rows, train_labels = _word_rows(train, phone_model)
        train_scores = 100 * word_model.probabilities(train_rows)
        for beta in betas:
            threshold = best_threshold(train_scores, train_labels <= MISPRONOUNCED_WORD_ACCURACY, beta)
            for utterance in test:
                rows = word_features(
                    utterance.evidence, phone_model.logits(phone_features(utterance.evidence)), utterance.heard
                )
                found_scores = 100 * word_model.probabilities(rows)
                scored[beta].append((_sentence_scores(utterance, found_scores, threshold), threshold))
        test_phone_rows, test_phone_labels = _phone_rows(test)
        phone_scores.append(100 * phone_model.probabilities(test_phone_rows))
        phone_gold.append(test_phone_labels)
    return {
        f"f{beta:g}_threshold": _fold_metrics(scored[beta], np.concatenate(phone_scores), np.concatenate(phone_gold))
        for beta in betas
    }


def naive_baselines(utterances: list[Utterance], folds: int) -> dict[str, dict[str, float]]:
    """The naive word scores of the notes, over every word (words not found get the lowest score),
    with F1 thresholds chosen on the training folds as for the fitted models."""
    gold = np.asarray([a for u in utterances for a in u.word_accuracy])
    fold_of = speaker_folds(utterances, folds)
    word_folds = np.asarray([f for u, f in zip(utterances, fold_of, strict=True) for _ in u.word_accuracy])
    candidates: dict[str, Callable[[list[PhoneEvidence]], float]] = {
        "word_align_per_frame": lambda w: sum(e.aligned.score for e in w) / sum(e.aligned.frames for e in w),
        "worst_phone_align_per_frame": lambda w: min(e.align_score_per_frame for e in w),
        "word_mean_gop": lambda w: float(np.mean([e.gop for e in w])),
    }
    result = {}
    for name, score_of in candidates.items():
        found = [[score_of(w) for w in u.evidence] for u in utterances]
        floor = min(value for values in found for value in values)
        scores = []
        for utterance, values in zip(utterances, found, strict=True):
            row = np.full(len(utterance.word_accuracy), floor)
            row[utterance.found] = values
            scores.append(row)
        all_scores = np.concatenate(scores)
        predicted = np.zeros(len(gold), dtype=bool)
        for fold in range(folds):
            train, test = word_folds != fold, word_folds == fold
            threshold = best_threshold(all_scores[train], gold[train] <= MISPRONOUNCED_WORD_ACCURACY, 1.0)
            predicted[test] = all_scores[test] < threshold
        metrics = detection(predicted, gold <= MISPRONOUNCED_WORD_ACCURACY)
        metrics["word_r"] = pearson(all_scores, gold)
        result[name] = metrics
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder in speechocean762's layout (development subset)")
    parser.add_argument("--split", default="train", help="split to fit on (never 'test')")
    parser.add_argument("--cache", type=Path, help="pickle of extracted evidence, reused when present")
    parser.add_argument("--l2", type=float, default=10.0, help="L2 penalty of both logistic regressions")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--output", type=Path, default=CALIBRATION_PATH)
    parser.add_argument(
        "--beta", type=float, default=SHIPPED_BETA, help="the shipped word threshold maximises this F-beta"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.split == "test":
        parser.error("the test split is reserved for evaluation")

    utterances = extract(args.corpus, args.split, args.cache)
    log.info("%d utterances, %d speakers", len(utterances), len({u.speaker for u in utterances}))
    baselines = naive_baselines(utterances, args.folds)
    cv = cross_validate(utterances, args.l2, args.folds, sorted({1.0, args.beta}))
    print(json.dumps({"speaker_cv": cv, "naive_baselines": baselines}, indent=2))

    phone_model, word_model = fit(utterances, args.l2)
    word_rows, word_labels = _word_rows(utterances, phone_model)
    word_threshold = best_threshold(
        100 * word_model.probabilities(word_rows), word_labels <= MISPRONOUNCED_WORD_ACCURACY, args.beta
    )
    phone_rows, phone_labels = _phone_rows(utterances)
    phone_threshold = best_threshold(
        100 * phone_model.probabilities(phone_rows), phone_labels < MISPRONOUNCED_PHONE_SCORE, 1.0
    )
    calibration = Calibration(
        phone_model,
        word_model,
        word_threshold,
        phone_threshold,
        provenance={
            "tool": "tools/calibrate_phonetic.py",
            "corpus": "speechocean762 development subset (train split)",
            "utterances": len(utterances),
            "l2": args.l2,
            "word_threshold_beta": args.beta,
            "speaker_cv": cv,
            "naive_baselines": baselines,
        },
    )
    if not args.dry_run:
        args.output.write_text(json.dumps(calibration.to_json(), indent=1) + "\n", encoding="utf-8")
        log.info("wrote %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
