"""Fit the ``ctc`` backend's scorer for one checkpoint on speechocean762-style speech, by speaker CV.

Runs the checkpoint over the corpus (batched, like the daemon) and extracts per-phone evidence
with the backend's own analysis (the corpus's phones, or a dictionary variant of the same length
that the recording supports better), fits the phone and word models with the shared fitting code
(:mod:`inference_daemon.calibration.fitting`), prints their speaker-held-out metrics next to those
of the backend's fixed rules, and writes the calibration for this checkpoint, which the backend
then finds by the checkpoint's fingerprint.

    python tools/calibrate_ctc.py ../shared/data/speechocean762-dev --model facebook/wav2vec2-xlsr-53-espeak-cv-ft
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from inference_daemon.audio import decode_audio
from inference_daemon.backends.ctc.analysis import WordEvidence, analyse, choose_pronunciations
from inference_daemon.backends.ctc.backend import pronunciation_options
from inference_daemon.backends.ctc.checkpoint_calibration import CALIBRATIONS_DIR, checkpoint_record, file_name_for
from inference_daemon.backends.ctc.features import (
    PHONE_FEATURES,
    WORD_FEATURES,
    phone_features,
    scored_phones,
    word_features,
)
from inference_daemon.backends.ctc.model import CtcPhoneModel
from inference_daemon.backends.ctc.scoring import WordJudgement, judge_words, phone_score
from inference_daemon.calibration import Calibration, LogisticModel
from inference_daemon.calibration.fitting import (
    FeatureSet,
    ReportedWords,
    Rows,
    cross_validate,
    fit_calibration,
    threshold_baseline,
)
from inference_daemon.calibration.metrics import pearson, word_metrics
from inference_daemon.datasets.speechocean import (
    ScoredUtterance,
    add_fit_split_argument,
    pronunciation_candidates,
    read_split,
)
from inference_daemon.feedback import WordStatus

log = logging.getLogger("calibrate_ctc")

FOLDS = 5
BATCH_SIZE = 8
# As for `phonetic`: the shipped word threshold maximises F0.5, since a learner who sees correct
# words flagged stops trusting the feedback; the F1 operating point is reported beside it.
SHIPPED_BETA = 0.5


@dataclass
class Utterance:
    """One scored utterance: the evidence of its words and the experts' phone (0-2) and word (0-10) scores."""

    utt_id: str
    speaker: str
    words: list[WordEvidence]
    phone_accuracy: list[list[float]]
    word_accuracy: list[float]

    def scored_phone_accuracy(self) -> list[float]:
        """The experts' scores of the phones that have evidence, in the order of the feature rows."""
        return [self.phone_accuracy[w][p] for w, word in enumerate(self.words) for p, _ in scored_phones(word)]

    def scored_word_accuracy(self) -> list[float]:
        """The experts' scores of the words with at least one phone that has evidence."""
        return [accuracy for word, accuracy in zip(self.words, self.word_accuracy, strict=True)
                if scored_phones(word)]


def extract(model: CtcPhoneModel, scored: list[ScoredUtterance], batch_size: int) -> list[Utterance]:
    """Evidence for every utterance, as the backend computes it; recordings too short for their
    sentence are left out."""
    utterances = []
    with tqdm(total=len(scored), desc="extracting evidence") as progress:
        for first in range(0, len(scored), batch_size):
            batch = scored[first : first + batch_size]
            posteriors = model.log_posteriors([decode_audio(item.audio_path.read_bytes()) for item in batch])
            for item, log_probs in zip(batch, posteriors, strict=True):
                candidates = pronunciation_candidates(item, pronunciation_options)
                expected = choose_pronunciations(log_probs, model.inventory, candidates)
                analysis = analyse(log_probs, model.inventory, expected)
                if not analysis.aligned:
                    log.warning("%s is too short for its sentence; left out", item.utterance_id)
                    continue
                utterances.append(Utterance(item.utterance_id, item.speaker, analysis.words,
                                            [list(word.phone_scores) for word in item.words],
                                            [word.accuracy for word in item.words]))
            progress.update(len(batch))
    return utterances


def _phone_rows(utterances: list[Utterance]) -> Rows:
    rows = np.vstack([phone_features(u.words) for u in utterances])
    return rows, np.asarray([a for u in utterances for a in u.scored_phone_accuracy()])


def _word_rows(utterances: list[Utterance], phone_model: LogisticModel) -> Rows:
    rows = np.vstack([word_features(u.words, phone_model.logits(phone_features(u.words))) for u in utterances])
    return rows, np.asarray([a for u in utterances for a in u.scored_word_accuracy()])


def _as_reported(utterance: Utterance, judgements: list[WordJudgement]) -> ReportedWords:
    """Word scores and flags as the document reports them (a word without a score gets the others' mean)."""
    judged = [j.score for j in judgements if j.score is not None]
    fallback = float(np.mean(judged)) if judged else 0.0
    scores = np.asarray([j.score if j.score is not None else fallback for j in judgements])
    flagged = np.asarray([j.status is not WordStatus.ok for j in judgements])
    return ReportedWords(scores, flagged, np.asarray(utterance.word_accuracy))


def _reported_words(utterance: Utterance, phone_model: LogisticModel, word_model: LogisticModel,
                    threshold: float) -> ReportedWords:
    # The phone threshold only chooses which errors a flagged word names; it does not change its flag.
    calibration = Calibration(phone_model, word_model, threshold, phone_threshold=0.0, provenance={})
    return _as_reported(utterance, judge_words(utterance.words, calibration))


FEATURES = FeatureSet(PHONE_FEATURES, WORD_FEATURES, _phone_rows, _word_rows, _reported_words)


def fixed_rules(utterances: list[Utterance], folds: int) -> dict[str, dict[str, float | None]]:
    """The unfitted rules as the backend applies them, and their word score read through an F1
    threshold chosen on the training folds (what the fitted scorer has to beat)."""
    reported = [_as_reported(u, judge_words(u.words, None)) for u in utterances]
    rules = word_metrics(np.concatenate([r.scores for r in reported]), np.concatenate([r.flagged for r in reported]),
                         np.concatenate([r.accuracy for r in reported]))
    phone_scores = [score for u in utterances for word in u.words for _, phone in scored_phones(word)
                    if (score := phone_score(phone)) is not None]
    rules["phone_r"] = pearson(phone_scores, [a for u in utterances for a in u.scored_phone_accuracy()])
    thresholded = threshold_baseline(utterances, [r.scores for r in reported], [r.accuracy for r in reported], folds)
    return {"rules": rules, "rules_word_score_with_cv_threshold": thresholded}


def _load_or_extract(args: argparse.Namespace, model: CtcPhoneModel) -> list[Utterance]:
    if args.cache and args.cache.exists():
        with args.cache.open("rb") as handle:
            cached: dict[str, Any] = pickle.load(handle)
        if cached["fingerprint"] == model.fingerprint:
            utterances: list[Utterance] = cached["utterances"]
            return utterances
        log.warning("%s holds another checkpoint's evidence; extracting again", args.cache)
    scored = read_split(args.corpus, args.split)[: args.limit]
    utterances = extract(model, scored, args.batch_size)
    if args.cache:
        with args.cache.open("wb") as handle:
            pickle.dump({"fingerprint": model.fingerprint, "utterances": utterances}, handle)
    return utterances


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder in speechocean762's layout (development subset)")
    parser.add_argument("--model", required=True, help="the CTC checkpoint: a local folder or a Hugging Face id")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    add_fit_split_argument(parser)
    parser.add_argument("--limit", type=int, help="use only the first N utterances")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="recordings per forward pass")
    parser.add_argument("--cache", type=Path, help="pickle of extracted evidence, reused for the same checkpoint")
    parser.add_argument("--l2", type=float, default=10.0, help="L2 penalty of both logistic regressions")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--beta", type=float, default=SHIPPED_BETA,
                        help="the shipped word threshold maximises this F-beta")
    parser.add_argument("--output", type=Path,
                        help="calibration file (default: the backend's calibrations folder, named after the model)")
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    model = CtcPhoneModel.load(args.model, args.device)
    utterances = _load_or_extract(args, model)
    speakers = len({u.speaker for u in utterances})
    log.info("%d utterances, %d speakers", len(utterances), speakers)
    if speakers < 2:
        parser.error("speaker cross-validation needs utterances of at least two speakers")
    rules = fixed_rules(utterances, args.folds)
    cv = cross_validate(utterances, FEATURES, args.l2, args.folds, sorted({1.0, args.beta}))
    print(json.dumps({"speaker_cv": cv, **rules}, indent=2))

    calibration = fit_calibration(utterances, FEATURES, args.l2, args.beta, provenance={
        "tool": "tools/calibrate_ctc.py",
        "corpus": f"{args.corpus.name} ({args.split} split)",
        "utterances": len(utterances),
        "speakers": speakers,
        "l2": args.l2,
        "word_threshold_beta": args.beta,
        "speaker_cv": cv,
        "fixed_rules": rules,
        "checkpoint": checkpoint_record(args.model, model.fingerprint),
    })
    if not args.dry_run:
        output = args.output or CALIBRATIONS_DIR / file_name_for(args.model)
        calibration.save(output)
        log.info("wrote %s (for checkpoint %s)", output, model.fingerprint[:16])
    return 0


if __name__ == "__main__":
    sys.exit(main())
