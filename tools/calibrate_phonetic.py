"""Fit the ``phonetic`` backend's scoring models on speechocean762's train split, by speaker CV.

Extracts the evidence of every utterance with the backend's own passes (PocketSphinx alignment and
competition, Whisper's word and competitor evidence), cached since that is the slow part; fits the
phone model (soft target: experts' phone accuracy / 2) and the word model (soft target: word
accuracy / 10) as L2-regularised logistic regressions, twice: on PocketSphinx + Whisper evidence
(``calibration.json``) and on PocketSphinx alone (``calibration_pocketsphinx.json``, used when
Whisper is not installed). Cross-validates both by speaker, prints the held-out metrics next to
naive baselines, and records them with spot checks of the evidence in each file's provenance.

    python tools/calibrate_phonetic.py ../shared/data/speechocean762-dev ../shared/data/speechocean762-train-rest \\
        --cache .cache/phonetic --jobs 2
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import pickle
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from inference_daemon.audio import decode_audio
from inference_daemon.backends.phonetic.analysis import Analysis, analyse
from inference_daemon.backends.phonetic.backend import whisper_evidence, word_pronunciations
from inference_daemon.backends.phonetic.decoders import thread_decoders
from inference_daemon.backends.phonetic.delivery import speech_tracks
from inference_daemon.backends.phonetic.errors import is_missing, read_but_not_placed
from inference_daemon.backends.phonetic.features import (
    PhoneEvidence,
    feature_names,
    phone_features,
    word_features,
)
from inference_daemon.backends.phonetic.scoring import RIVAL_MARGIN_KEY, calibration_path, default_calibration
from inference_daemon.calibration import LogisticModel
from inference_daemon.calibration.fitting import (
    FeatureSet,
    ReportedWords,
    cross_validate,
    fit_calibration,
    threshold_baseline,
)
from inference_daemon.datasets.speechocean import (
    ScoredUtterance,
    add_fit_split_argument,
    pronunciation_candidates,
    read_split,
)
from inference_daemon.pronunciation import target_words
from inference_daemon.whisper_evidence import WhisperModel, WordEvidence, resolve_model_path

log = logging.getLogger("calibrate_phonetic")

FOLDS = 5
# The shipped word threshold maximises F0.5 (precision weighs more than recall): a learner who sees
# correct words flagged stops trusting the feedback. The F1 operating point is reported beside it.
SHIPPED_BETA = 0.5
# A Whisper competitor flags a word on its own when the sentence read with it is more likely than
# the sentence as written: a margin of 0, the point where Whisper would rather transcribe the error.
RIVAL_MARGIN = 0.0
# Utterances whose evidence is recorded in the calibration, so that a test can check that the
# extraction still produces what the models were fitted on.
SPOT_CHECKS = 3


@dataclass
class Utterance:
    """One scored utterance with the evidence of the words found in it (``found``: their positions)
    and Whisper's evidence for every word of the sentence (``None`` when it was not extracted)."""

    utt_id: str
    speaker: str
    found: list[int]
    evidence: list[list[PhoneEvidence]]
    contests: list[Any]
    phone_accuracy: list[list[float]]
    word_accuracy: list[float]
    whisper: list[WordEvidence] | None

    @property
    def found_accuracy(self) -> list[float]:
        return [self.word_accuracy[i] for i in self.found]

    @property
    def found_whisper(self) -> list[WordEvidence] | None:
        return None if self.whisper is None else [self.whisper[i] for i in self.found]

    def missing(self, flagged: list[bool]) -> list[bool]:
        """Which found words the backend would report ``missing`` given which of them it flags."""
        return [flag and is_missing(evidence) for evidence, flag in zip(self.evidence, flagged, strict=True)]


@dataclass(frozen=True)
class Extracted:
    """What the slow passes give for one utterance (cached): PocketSphinx's analysis and Whisper's evidence."""

    analysis: Analysis | None
    whisper: list[WordEvidence] | None


_WORKER: dict[str, Any] = {}


def _start_worker(whisper_model: str | None, use_whisper: bool) -> None:
    _WORKER["decoders"] = thread_decoders()
    if use_whisper:
        model = WhisperModel(resolve_model_path(whisper_model), threads=1)
        model.load()
        _WORKER["whisper"] = model


def _extract_one(scored: ScoredUtterance) -> tuple[str, Extracted]:
    audio = decode_audio(scored.audio_path.read_bytes())
    pronunciations = pronunciation_candidates(scored, word_pronunciations)
    analysis = analyse(_WORKER["decoders"], audio, pronunciations)
    whisper = None
    words = target_words(scored.text)
    model: WhisperModel | None = _WORKER.get("whisper")
    if model is not None and len(words) == len(scored.words):
        whisper = whisper_evidence(model, model.encode(audio), words, pronunciations)
    return scored.utterance_id, Extracted(analysis, whisper)


def extract_folder(corpus: Path, split: str, limit: int | None, jobs: int, cache: Path | None,
                   whisper_model: str | None, use_whisper: bool) -> dict[str, Extracted]:
    """The evidence of one corpus folder, from the cache when it holds every utterance asked for."""
    utterances = read_split(corpus, split)[:limit]
    cache_file = None if cache is None else cache / f"{corpus.resolve().name}-{split}.pkl"
    known: dict[str, Extracted] = {}
    if cache_file is not None and cache_file.exists():
        # Stored as plain tuples of the daemon's own types, so that the cache does not depend on how
        # this tool was started (as a script its classes live in __main__).
        known = {key: Extracted(*value) for key, value in pickle.loads(cache_file.read_bytes()).items()}
    todo = [u for u in utterances if u.utterance_id not in known]
    if todo:
        start = partial(_start_worker, whisper_model, use_whisper)
        if jobs > 1:
            with multiprocessing.get_context("spawn").Pool(jobs, initializer=start) as pool:
                results = pool.imap_unordered(_extract_one, todo, chunksize=4)
                known.update(tqdm(results, total=len(todo), desc=f"evidence of {corpus.name}"))
        else:
            start()
            known.update(_extract_one(u) for u in tqdm(todo, desc=f"evidence of {corpus.name}"))
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            cache_file.write_bytes(pickle.dumps({key: (e.analysis, e.whisper) for key, e in known.items()}))
    return {u.utterance_id: known[u.utterance_id] for u in utterances}


def scored_utterances(corpus: Path, split: str, extracted: dict[str, Extracted]) -> list[Utterance]:
    """Evidence joined with the experts' labels; unalignable utterances are dropped."""
    result = []
    for scored in read_split(corpus, split):
        if scored.utterance_id not in extracted:
            continue
        found_evidence = extracted[scored.utterance_id]
        analysis = found_evidence.analysis
        if analysis is None:
            log.warning("%s could not be aligned; left out", scored.utterance_id)
            continue
        found = [word.index for word in analysis.words]
        result.append(
            Utterance(
                scored.utterance_id,
                scored.speaker,
                found,
                analysis.evidence,
                analysis.contests,
                [list(scored.words[i].phone_scores) for i in found],
                [w.accuracy for w in scored.words],
                found_evidence.whisper,
            )
        )
    return result


def feature_set(with_whisper: bool, rival_margin: float | None) -> FeatureSet[Utterance]:
    """How utterances become rows and reported words, for the calibration with or without Whisper."""

    def whisper_of(utterance: Utterance) -> list[WordEvidence] | None:
        return utterance.found_whisper if with_whisper else None

    def phone_rows(utterances: list[Utterance]) -> tuple[np.ndarray, np.ndarray]:
        rows = np.vstack([phone_features(u.evidence, u.contests, whisper_of(u)) for u in utterances])
        labels = np.asarray([a for u in utterances for word in u.phone_accuracy for a in word])
        return rows, labels

    def word_rows_of(utterance: Utterance, phone_model: LogisticModel) -> np.ndarray:
        heard = whisper_of(utterance)
        logits = phone_model.logits(phone_features(utterance.evidence, utterance.contests, heard))
        return word_features(utterance.evidence, logits, utterance.contests, heard)

    def word_rows(utterances: list[Utterance], phone_model: LogisticModel) -> tuple[np.ndarray, np.ndarray]:
        rows = np.vstack([word_rows_of(u, phone_model) for u in utterances])
        return rows, np.asarray([a for u in utterances for a in u.found_accuracy])

    def reported_words(utterance: Utterance, phone_model: LogisticModel, word_model: LogisticModel,
                       threshold: float) -> ReportedWords:
        """Every word as the backend reports it: words not found score 0 and count as missing; a
        winning Whisper competitor flags a word and caps its score under the threshold."""
        found_scores = 100 * word_model.probabilities(word_rows_of(utterance, phone_model))
        heard = whisper_of(utterance)
        if heard is not None:
            rivals_win = np.asarray([rival_margin is not None and _rival_delta(word) > rival_margin for word in heard])
            found_scores = np.where(rivals_win, np.minimum(found_scores, threshold - 0.1), found_scores)
            unplaced = np.asarray([not win and read_but_not_placed(evidence, word.mean_log_prob)
                                   for evidence, word, win in zip(utterance.evidence, heard, rivals_win, strict=True)])
            found_scores = np.where(unplaced, np.maximum(found_scores, threshold), found_scores)
        scores = np.zeros(len(utterance.word_accuracy))
        flagged = np.ones(len(utterance.word_accuracy), dtype=bool)
        missing = utterance.missing([bool(s < threshold) for s in found_scores])
        for position, score, is_missing_word in zip(utterance.found, found_scores, missing, strict=True):
            scores[position] = score
            flagged[position] = is_missing_word or score < threshold
        return ReportedWords(scores, flagged, np.asarray(utterance.word_accuracy))

    phone_names, word_names = feature_names(with_whisper)
    return FeatureSet(phone_names, word_names, phone_rows, word_rows, reported_words)


@dataclass(frozen=True)
class ScoredReading:
    """One utterance with its evidence, its words scored by the shipped calibration as the backend
    reports them (before the word-stress check), its audio and pitch track: what the tools fitted
    after the calibration (sentence scores, word stress) start from."""

    scored: ScoredUtterance
    analysis: Analysis
    word_scores: np.ndarray
    audio: np.ndarray
    tracks: tuple[np.ndarray, np.ndarray]


def scored_readings(corpus: Path, split: str, cache: Path, jobs: int, limit: int | None,
                    what: str) -> Iterator[ScoredReading]:
    """Every alignable utterance of one folder (the first ``limit``) that Whisper's evidence covers,
    from the cache where it has them; ``what`` names the work in the progress bar."""
    extracted = extract_folder(corpus, split, limit, jobs, cache, None, True)
    utterances = {u.utt_id: u for u in scored_utterances(corpus, split, extracted)}
    calibration = default_calibration(True)
    models = calibration.models
    features = feature_set(True, calibration.rival_margin if calibration.rival_margin is not None else RIVAL_MARGIN)
    for scored in tqdm(read_split(corpus, split)[:limit], desc=f"{what} of {corpus.name}"):
        utterance = utterances.get(scored.utterance_id)
        if utterance is None or utterance.whisper is None:
            continue
        analysis = extracted[scored.utterance_id].analysis
        assert analysis is not None  # scored_utterances keeps only aligned utterances
        reported = features.reported_words(utterance, models.phone_model, models.word_model, models.word_threshold)
        audio = decode_audio(scored.audio_path.read_bytes())
        yield ScoredReading(scored, analysis, reported.scores, audio, speech_tracks(analysis, audio))


def add_cached_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """The corpus arguments of the tools that start from the evidence this tool caches."""
    parser.add_argument("corpus", type=Path, nargs="+", help="speechocean762-layout folders, fitted on together")
    add_fit_split_argument(parser)
    parser.add_argument("--cache", type=Path, default=Path(".cache/phonetic"),
                        help="folder of evidence extracted by tools/calibrate_phonetic.py (extracted when absent)")
    parser.add_argument("--jobs", type=int, default=1, help="processes extracting evidence missing from the cache")


def _rival_delta(word: WordEvidence) -> float:
    best = word.best_rival
    return -np.inf if best is None else best.delta


def naive_baselines(utterances: list[Utterance], folds: int, with_whisper: bool) -> dict[str, dict[str, float | None]]:
    """Single-number word scores (words not found get the lowest), with F1 thresholds chosen on the
    training folds as for the fitted models: what the fitted scorer has to beat."""
    pocketsphinx: dict[str, Callable[[list[PhoneEvidence]], float]] = {
        "word_align_per_frame": lambda w: sum(e.aligned.score for e in w) / sum(e.aligned.frames for e in w),
        "worst_phone_align_per_frame": lambda w: min(e.align_score_per_frame for e in w),
        "word_min_competition_margin": lambda w: min(e.margin for e in w),
    }
    def per_word(score_of: Callable[[list[PhoneEvidence]], float]) -> Callable[[Utterance], list[float]]:
        return lambda u: [score_of(w) for w in u.evidence]

    per_utterance = {name: per_word(score_of) for name, score_of in pocketsphinx.items()}
    if with_whisper:
        per_utterance["whisper_mean_log_prob"] = lambda u: [w.mean_log_prob for w in u.found_whisper or []]
        per_utterance["whisper_mean_log_prob_minus_prior"] = lambda u: [
            w.mean_log_prob - w.prior_mean_log_prob for w in u.found_whisper or []
        ]
        per_utterance["whisper_minus_best_rival_delta"] = lambda u: [-_rival_delta(w) for w in u.found_whisper or []]
    result = {}
    for name, score_of in per_utterance.items():
        found = [np.nan_to_num(np.asarray(score_of(u), dtype=float), neginf=-50.0, posinf=50.0) for u in utterances]
        floor = min(float(values.min()) for values in found if len(values))
        scores = []
        for utterance, values in zip(utterances, found, strict=True):
            row = np.full(len(utterance.word_accuracy), floor)
            row[utterance.found] = values
            scores.append(row)
        accuracy = [np.asarray(u.word_accuracy) for u in utterances]
        result[name] = threshold_baseline(utterances, scores, accuracy, folds)
    return result


def spot_checks(utterances: list[Utterance], features: FeatureSet[Utterance], fitted_phone_model: LogisticModel,
                count: int) -> list[dict[str, Any]]:
    """The word feature rows of a few utterances: a test re-extracts them from the corpus and compares."""
    chosen = utterances[:count]
    return [
        {"utterance": u.utt_id, "word_rows": np.round(features.word_rows([u], fitted_phone_model)[0], 4).tolist()}
        for u in chosen
    ]


def calibrate(utterances: list[Utterance], with_whisper: bool, args: argparse.Namespace,
              corpora: Sequence[Path]) -> dict[str, Any]:
    """Cross-validate, fit on everything and (unless a dry run) write one calibration file."""
    margin = args.rival_margin if with_whisper else None
    features = feature_set(with_whisper, margin)
    label = "pocketsphinx+whisper" if with_whisper else "pocketsphinx"
    log.info("fitting %s on %d utterances", label, len(utterances))
    baselines = naive_baselines(utterances, args.folds, with_whisper)
    cv = cross_validate(utterances, features, args.l2, args.folds, sorted({1.0, args.beta}))
    calibration = fit_calibration(
        utterances,
        features,
        args.l2,
        args.beta,
        provenance={
            "tool": "tools/calibrate_phonetic.py",
            "corpus": "speechocean762 train split: " + " + ".join(corpus.name for corpus in corpora),
            "evidence": label,
            "utterances": len(utterances),
            "speakers": len({u.speaker for u in utterances}),
            "l2": args.l2,
            "word_threshold_beta": args.beta,
            "speaker_cv": cv,
            "naive_baselines": baselines,
        },
    )
    calibration.provenance["spot_checks"] = spot_checks(utterances, features, calibration.phone_model, SPOT_CHECKS)
    if margin is not None:
        calibration.decisions[RIVAL_MARGIN_KEY] = margin
    output = args.output_dir / calibration_path(with_whisper).name
    if not args.dry_run:
        calibration.save(output)
        log.info("wrote %s", output)
    return {"speaker_cv": cv, "naive_baselines": baselines}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="+", help="speechocean762-layout folders, fitted on together")
    add_fit_split_argument(parser)
    parser.add_argument("--cache", type=Path, help="folder of extracted evidence, reused when present")
    parser.add_argument("--jobs", type=int, default=1, help="processes extracting evidence")
    parser.add_argument("--limit", type=int, help="only the first N utterances of each folder (quick checks)")
    parser.add_argument("--whisper-model", default=None, help="CTranslate2 Whisper folder (default: bundled tiny.en)")
    parser.add_argument("--no-whisper", action="store_true", help="fit only the PocketSphinx-alone calibration")
    parser.add_argument("--rival-margin", type=float, default=RIVAL_MARGIN,
                        help="delta above which a Whisper competitor flags a word on its own (a large value: never)")
    parser.add_argument("--l2", type=float, default=10.0, help="L2 penalty of both logistic regressions")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--output-dir", type=Path, default=calibration_path(True).parent)
    parser.add_argument(
        "--beta", type=float, default=SHIPPED_BETA, help="the shipped word threshold maximises this F-beta"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    utterances: list[Utterance] = []
    for corpus in args.corpus:
        extracted = extract_folder(corpus, args.split, args.limit, args.jobs, args.cache, args.whisper_model,
                                   not args.no_whisper)
        utterances += scored_utterances(corpus, args.split, extracted)
    log.info("%d utterances, %d speakers", len(utterances), len({u.speaker for u in utterances}))
    report = {"pocketsphinx": calibrate(utterances, False, args, args.corpus)}
    if not args.no_whisper:
        with_whisper = [u for u in utterances if u.whisper is not None]
        report["pocketsphinx+whisper"] = calibrate(with_whisper, True, args, args.corpus)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
