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

import numpy as np
from tqdm import tqdm

from inference_daemon.audio import decode_audio
from inference_daemon.backends.phonetic.analysis import analyse
from inference_daemon.backends.phonetic.backend import word_pronunciations
from inference_daemon.backends.phonetic.competition import WordContest
from inference_daemon.backends.phonetic.decoders import thread_decoders
from inference_daemon.backends.phonetic.errors import is_missing
from inference_daemon.backends.phonetic.features import (
    PHONE_FEATURES,
    WORD_FEATURES,
    PhoneEvidence,
    phone_features,
    word_features,
)
from inference_daemon.backends.phonetic.scoring import CALIBRATION_PATH
from inference_daemon.calibration import LogisticModel
from inference_daemon.calibration.fitting import (
    FeatureSet,
    ReportedWords,
    cross_validate,
    fit_calibration,
    threshold_baseline,
)
from inference_daemon.datasets.speechocean import pronunciation_candidates, read_split

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
    contests: list[WordContest]
    phone_accuracy: list[list[float]]
    word_accuracy: list[float]

    @property
    def found_accuracy(self) -> list[float]:
        return [self.word_accuracy[i] for i in self.found]

    def missing(self, flagged: list[bool]) -> list[bool]:
        """Which found words the backend would report ``missing`` given which of them it flags."""
        return [flag and is_missing(evidence) for evidence, flag in zip(self.evidence, flagged, strict=True)]


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
        analysis = analyse(decoders, audio, pronunciation_candidates(scored, word_pronunciations))
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
                analysis.contests,
                [list(scored.words[i].phone_scores) for i in found],
                [w.accuracy for w in scored.words],
            )
        )
    if cache:
        with cache.open("wb") as handle:
            pickle.dump(utterances, handle)
    return utterances


def _phone_rows(utterances: list[Utterance]) -> tuple[np.ndarray, np.ndarray]:
    rows = np.vstack([phone_features(u.evidence, u.contests) for u in utterances])
    labels = np.asarray([a for u in utterances for word in u.phone_accuracy for a in word])
    return rows, labels


def _word_rows(utterances: list[Utterance], phone_model: LogisticModel) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and word accuracy of the words found (the only ones the models see)."""
    rows = np.vstack(
        [
            word_features(u.evidence, phone_model.logits(phone_features(u.evidence, u.contests)), u.contests)
            for u in utterances
        ]
    )
    labels = np.asarray([a for u in utterances for a in u.found_accuracy])
    return rows, labels


def _reported_words(
    utterance: Utterance, phone_model: LogisticModel, word_model: LogisticModel, threshold: float
) -> ReportedWords:
    """Every word as the backend reports it: words not found score 0 and count as missing."""
    phone_logits = phone_model.logits(phone_features(utterance.evidence, utterance.contests))
    rows = word_features(utterance.evidence, phone_logits, utterance.contests)
    found_scores = 100 * word_model.probabilities(rows)
    scores = np.zeros(len(utterance.word_accuracy))
    flagged = np.ones(len(utterance.word_accuracy), dtype=bool)
    missing = utterance.missing([bool(s < threshold) for s in found_scores])
    for position, score, is_missing_word in zip(utterance.found, found_scores, missing, strict=True):
        scores[position] = score
        flagged[position] = is_missing_word or score < threshold
    return ReportedWords(scores, flagged, np.asarray(utterance.word_accuracy))


FEATURES = FeatureSet(PHONE_FEATURES, WORD_FEATURES, _phone_rows, _word_rows, _reported_words)


def naive_baselines(utterances: list[Utterance], folds: int) -> dict[str, dict[str, float | None]]:
    """The naive word scores of the notes, over every word (words not found get the lowest score),
    with F1 thresholds chosen on the training folds as for the fitted models."""
    candidates: dict[str, Callable[[list[PhoneEvidence]], float]] = {
        "word_align_per_frame": lambda w: sum(e.aligned.score for e in w) / sum(e.aligned.frames for e in w),
        "worst_phone_align_per_frame": lambda w: min(e.align_score_per_frame for e in w),
        "word_min_competition_margin": lambda w: min(e.margin for e in w),
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
        accuracy = [np.asarray(u.word_accuracy) for u in utterances]
        result[name] = threshold_baseline(utterances, scores, accuracy, folds)
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
    cv = cross_validate(utterances, FEATURES, args.l2, args.folds, sorted({1.0, args.beta}))
    print(json.dumps({"speaker_cv": cv, "naive_baselines": baselines}, indent=2))

    calibration = fit_calibration(
        utterances,
        FEATURES,
        args.l2,
        args.beta,
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
        calibration.save(args.output)
        log.info("wrote %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
