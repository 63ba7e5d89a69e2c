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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from inference_daemon.audio import decode_audio
from inference_daemon.backends.phonetic.analysis import analyse
from inference_daemon.backends.phonetic.decoders import thread_decoders
from inference_daemon.backends.phonetic.features import (
    PHONE_FEATURES,
    WORD_FEATURES,
    PhoneEvidence,
    phone_features,
    word_features,
)
from inference_daemon.backends.phonetic.phone_loop import HeardPhone
from inference_daemon.backends.phonetic.scoring import CALIBRATION_PATH, Calibration, LogisticModel

log = logging.getLogger("calibrate_phonetic")

MISPRONOUNCED_MAX_ACCURACY = 6
# A phone counts as wrong when the experts' mean phone score (0-2) is below this.
WRONG_PHONE_MAX_ACCURACY = 1.0
FOLDS = 5


@dataclass
class Utterance:
    """One scored utterance with its extracted evidence."""

    utt_id: str
    speaker: str
    evidence: list[list[PhoneEvidence]]
    heard: list[HeardPhone]
    phone_accuracy: list[list[float]]
    word_accuracy: list[float]


def _strip_stress(phone: str) -> str:
    return phone.rstrip("012").upper()


def extract(corpus: Path, split: str, cache: Path | None) -> list[Utterance]:
    """Evidence for every utterance of the split, with the experts' labels; unalignable ones are dropped."""
    if cache and cache.exists():
        with cache.open("rb") as handle:
            cached: list[Utterance] = pickle.load(handle)
        return cached
    scores = json.loads((corpus / "resource" / "scores.json").read_text())
    wavs = dict(line.split(None, 1) for line in (corpus / split / "wav.scp").read_text().splitlines())
    speakers = dict(line.split(None, 1) for line in (corpus / split / "utt2spk").read_text().splitlines())
    decoders = thread_decoders()
    utterances = []
    for utt_id in tqdm(sorted(wavs), desc="extracting evidence"):
        words = scores[utt_id]["words"]
        audio = decode_audio((corpus / wavs[utt_id].strip()).read_bytes())
        analysis = analyse(decoders, audio, [[_strip_stress(p) for p in w["phones"]] for w in words])
        if analysis is None:
            log.warning("%s could not be aligned; left out", utt_id)
            continue
        aligned = words[: len(analysis.evidence)]
        if len(aligned) < len(words):
            log.info("%s: only %d of %d words aligned; the rest left out", utt_id, len(aligned), len(words))
        utterances.append(
            Utterance(
                utt_id,
                speakers[utt_id].strip(),
                analysis.evidence,
                analysis.heard,
                [[float(a) for a in w["phones-accuracy"]] for w in aligned],
                [float(w["accuracy"]) for w in aligned],
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
    rows = np.vstack(
        [word_features(u.evidence, phone_model.logits(phone_features(u.evidence)), u.heard) for u in utterances]
    )
    labels = np.asarray([a for u in utterances for a in u.word_accuracy])
    return rows, labels


def fit(utterances: list[Utterance], l2: float) -> tuple[LogisticModel, LogisticModel]:
    phone_rows, phone_labels = _phone_rows(utterances)
    phone_model = fit_logistic(phone_rows, phone_labels / 2.0, PHONE_FEATURES, l2)
    word_rows, word_labels = _word_rows(utterances, phone_model)
    word_model = fit_logistic(word_rows, word_labels / 10.0, WORD_FEATURES, l2)
    return phone_model, word_model


def best_f1_threshold(scores: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """Threshold on a score (lower = worse) maximising F1 for ``positive``; returns (threshold, F1)."""
    best = (float(np.median(scores)), 0.0)
    for threshold in np.unique(np.quantile(scores, np.linspace(0.01, 0.6, 120))):
        f1 = detection(scores < threshold, positive)["f1"]
        if f1 > best[1]:
            best = (float(threshold), f1)
    return best


def detection(predicted: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    true_positive = float(np.sum(predicted & gold))
    precision = true_positive / max(float(np.sum(predicted)), 1.0)
    recall = true_positive / max(float(np.sum(gold)), 1.0)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": precision, "recall": recall, "f1": f1}


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def speaker_folds(utterances: list[Utterance], folds: int) -> list[int]:
    speakers = sorted({u.speaker for u in utterances})
    order = np.random.default_rng(7).permutation(len(speakers))
    fold_of = {speakers[i]: rank % folds for rank, i in enumerate(order)}
    return [fold_of[u.speaker] for u in utterances]


def cross_validate(utterances: list[Utterance], l2: float, folds: int) -> dict[str, float]:
    """Speaker-held-out metrics; thresholds are chosen on the training folds only."""
    fold_of = speaker_folds(utterances, folds)
    word_scores, word_gold, phone_scores, phone_gold, phone_thresholds = [], [], [], [], []
    predicted = []
    for fold in range(folds):
        train = [u for u, f in zip(utterances, fold_of, strict=True) if f != fold]
        test = [u for u, f in zip(utterances, fold_of, strict=True) if f == fold]
        phone_model, word_model = fit(train, l2)
        train_rows, train_labels = _word_rows(train, phone_model)
        threshold, _ = best_f1_threshold(
            100 * word_model.probabilities(train_rows), train_labels <= MISPRONOUNCED_MAX_ACCURACY
        )
        train_phone_rows, train_phone_labels = _phone_rows(train)
        phone_threshold, _ = best_f1_threshold(
            100 * phone_model.probabilities(train_phone_rows), train_phone_labels < WRONG_PHONE_MAX_ACCURACY
        )
        phone_thresholds.append(phone_threshold)
        rows, labels = _word_rows(test, phone_model)
        scores = 100 * word_model.probabilities(rows)
        word_scores.append(scores)
        word_gold.append(labels)
        predicted.append(scores < threshold)
        test_phone_rows, test_phone_labels = _phone_rows(test)
        phone_scores.append(100 * phone_model.probabilities(test_phone_rows))
        phone_gold.append(test_phone_labels)
    all_words, all_gold = np.concatenate(word_scores), np.concatenate(word_gold)
    metrics = detection(np.concatenate(predicted), all_gold <= MISPRONOUNCED_MAX_ACCURACY)
    metrics["word_r"] = pearson(all_words, all_gold)
    metrics["phone_r"] = pearson(np.concatenate(phone_scores), np.concatenate(phone_gold))
    return metrics


def naive_baselines(utterances: list[Utterance]) -> dict[str, dict[str, float]]:
    """The naive word scores of the notes, with thresholds chosen after the fact (optimistic)."""
    gold = np.asarray([a for u in utterances for a in u.word_accuracy])
    candidates = {
        "word_align_per_frame": [
            sum(e.aligned.score for e in w) / sum(e.aligned.frames for e in w)
            for u in utterances
            for w in u.evidence
        ],
        "worst_phone_align_per_frame": [
            min(e.align_score_per_frame for e in w) for u in utterances for w in u.evidence
        ],
        "word_mean_gop": [float(np.mean([e.gop for e in w])) for u in utterances for w in u.evidence],
    }
    result = {}
    for name, values in candidates.items():
        scores = np.asarray(values, dtype=np.float64)
        _, f1 = best_f1_threshold(scores, gold <= MISPRONOUNCED_MAX_ACCURACY)
        result[name] = {"word_r": pearson(scores, gold), "f1_best_threshold": f1}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder in speechocean762's layout (development subset)")
    parser.add_argument("--split", default="train", help="split to fit on (never 'test')")
    parser.add_argument("--cache", type=Path, help="pickle of extracted evidence, reused when present")
    parser.add_argument("--l2", type=float, default=10.0, help="L2 penalty of both logistic regressions")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--output", type=Path, default=CALIBRATION_PATH)
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.split == "test":
        parser.error("the test split is reserved for evaluation")

    utterances = extract(args.corpus, args.split, args.cache)
    log.info("%d utterances, %d speakers", len(utterances), len({u.speaker for u in utterances}))
    baselines = naive_baselines(utterances)
    cv = cross_validate(utterances, args.l2, args.folds)
    print(json.dumps({"speaker_cv": cv, "naive_baselines": baselines}, indent=2))

    phone_model, word_model = fit(utterances, args.l2)
    word_rows, word_labels = _word_rows(utterances, phone_model)
    word_threshold, _ = best_f1_threshold(
        100 * word_model.probabilities(word_rows), word_labels <= MISPRONOUNCED_MAX_ACCURACY
    )
    phone_rows, phone_labels = _phone_rows(utterances)
    phone_threshold, _ = best_f1_threshold(
        100 * phone_model.probabilities(phone_rows), phone_labels < WRONG_PHONE_MAX_ACCURACY
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
