"""Fit the ``phonetic`` backend's word-stress check on speechocean762's per-word stress labels.

Reuses the evidence ``tools/calibrate_phonetic.py`` extracted and cached (PocketSphinx's alignment
and Whisper's evidence of every utterance), scores the words with the shipped ``calibration.json``
as the backend does, measures each syllable's duration, intensity and pitch
(:mod:`inference_daemon.backends.phonetic.word_stress`), and fits one logistic model of "the stress
was wrong" (experts' median stress score 5 instead of 10) over words of two or more syllables whose
stress the dictionary knows. The decision threshold maximises F0.5 (a stress error shown to a learner
who stressed the word right costs more than one missed). Reports precision and recall held out by
speaker (5 folds), next to the model without the clear-reversal rule, the acoustic cues alone and the
rule alone, and writes ``word_stress.json``.

    python tools/calibrate_word_stress.py ../shared/data/speechocean762-dev \\
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

from inference_daemon.backends.phonetic.word_stress import (
    STRESS_FEATURES,
    WORD_STRESS_PATH,
    WordStressModel,
    clear_reversal,
    expected_stress,
    feature_row,
    stress_evidence,
    syllable_cues,
)
from inference_daemon.calibration import LogisticModel
from inference_daemon.calibration.fitting import fit_logistic, speaker_folds
from inference_daemon.calibration.metrics import detection, f_beta
from inference_daemon.pronunciation import target_words

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.calibrate_phonetic import FOLDS, add_cached_corpus_arguments, scored_readings

log = logging.getLogger("calibrate_word_stress")

# The experts' median stress score of a word whose stress was wrong (10 when right).
WRONG_STRESS = 5.0
BETA = 0.5
# Thresholds tried: the probabilities a logistic model over a rare label gives.
CANDIDATE_THRESHOLDS = np.linspace(0.05, 0.95, 91)
ACOUSTIC_ONLY = STRESS_FEATURES.index("word_score")


@dataclass(frozen=True)
class StressWord:
    """One judged word: its syllables' cues, the syllables that may carry its stress, its score, the label."""

    speaker: str
    word: str
    cues: np.ndarray
    expected: frozenset[int]
    word_score: float
    wrong: bool

    def row(self) -> np.ndarray:
        """The features of the expected syllable that stood out most (most words allow only one)."""
        return max((feature_row(self.cues, s, self.word_score) for s in self.expected), key=lambda r: r[:4].sum())


def stress_words(corpus: Path, split: str, cache: Path, jobs: int, limit: int | None = None) -> list[StressWord]:
    """Every word of two or more syllables that was read and whose stress the dictionary knows (in the
    first ``limit`` utterances)."""
    result = []
    for reading in scored_readings(corpus, split, cache, jobs, limit, "stress"):
        scored, analysis, scores = reading.scored, reading.analysis, reading.word_scores
        targets = target_words(scored.text)
        if len(targets) != len(scored.words):
            continue
        origin = analysis.seconds(analysis.words[0].start)
        semitones, intensity = reading.tracks
        for word in analysis.words:
            target, label = targets[word.index], scored.words[word.index].stress
            if len(target.tokens) != 1 or label is None:
                continue
            expected = expected_stress(target.tokens[0], word)
            if expected is None:
                continue
            cues = syllable_cues(word, analysis.seconds, semitones, intensity, origin)
            result.append(StressWord(scored.speaker, target.tokens[0], cues, expected,
                                     float(scores[word.index]), label <= WRONG_STRESS))
    return result


def fit(words: Sequence[StressWord], l2: float, columns: int = len(STRESS_FEATURES)) -> LogisticModel:
    rows = np.vstack([w.row()[:columns] for w in words])
    return fit_logistic(rows, np.asarray([w.wrong for w in words], dtype=float), STRESS_FEATURES[:columns], l2)


@dataclass(frozen=True)
class Outcomes:
    """Per word, what the backend's decision reads (as :meth:`WordStressModel.judge`): the probability
    that the stress was wrong, whether the syllable that stood out is not one the dictionary allows,
    and whether it was a clear reversal."""

    probabilities: np.ndarray
    moved: np.ndarray
    reversed: np.ndarray

    def flagged(self, threshold: float) -> np.ndarray:
        return ((self.probabilities >= threshold) & self.moved) | self.reversed


def outcomes(model: LogisticModel, words: Sequence[StressWord], reversals: bool = True) -> Outcomes:
    found = [stress_evidence(model, word.cues, word.expected, word.word_score) for word in words]
    return Outcomes(
        np.asarray([evidence.probability for evidence in found]),
        np.asarray([evidence.stood_out not in word.expected for evidence, word in zip(found, words, strict=True)]),
        np.asarray([reversals and evidence.reversal is not None for evidence in found], dtype=bool),
    )


def best_threshold(model: LogisticModel, words: Sequence[StressWord], reversals: bool) -> float:
    """The threshold maximising F0.5 of the backend's decision on ``words``."""
    found_outcomes = outcomes(model, words, reversals)
    gold = np.asarray([w.wrong for w in words])
    scored = []
    for threshold in CANDIDATE_THRESHOLDS:
        found = detection(found_outcomes.flagged(threshold), gold)
        scored.append((f_beta(found["precision"], found["recall"], BETA), float(threshold)))
    return max(scored)[1]


def cross_validated(words: list[StressWord], l2: float, folds: int, columns: int,
                    reversals: bool = True) -> dict[str, Any]:
    """Speaker-held-out detection of wrong stress; threshold chosen on the training folds. ``reversals``:
    with the clear-reversal rule, as the backend decides."""
    fold_of = np.asarray(speaker_folds(words, folds))
    flags = np.zeros(len(words), dtype=bool)
    for fold in range(folds):
        training = [w for w, f in zip(words, fold_of, strict=True) if f != fold]
        held_out = [w for w, f in zip(words, fold_of, strict=True) if f == fold]
        model = fit(training, l2, columns)
        threshold = best_threshold(model, training, reversals)
        flags[fold_of == fold] = outcomes(model, held_out, reversals).flagged(threshold)
    result: dict[str, Any] = detection(flags, np.asarray([w.wrong for w in words]))
    result["flagged"] = int(flags.sum())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_cached_corpus_arguments(parser)
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic regression")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--limit", type=int, help="first N utterances of each folder (a quick check)")
    parser.add_argument("--output", type=Path, default=WORD_STRESS_PATH)
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    words = [w for corpus in args.corpus for w in stress_words(corpus, args.split, args.cache, args.jobs, args.limit)]
    wrong = sum(w.wrong for w in words)
    log.info("%d words of two or more syllables, %d with wrong stress, %d speakers",
             len(words), wrong, len({w.speaker for w in words}))
    reversal_only = detection(np.asarray([clear_reversal(w.cues, w.expected) is not None for w in words]),
                              np.asarray([w.wrong for w in words]))
    cv = {
        "shipped": cross_validated(words, args.l2, args.folds, len(STRESS_FEATURES)),
        "model_without_clear_reversals": cross_validated(words, args.l2, args.folds, len(STRESS_FEATURES), False),
        "acoustic_cues_only": cross_validated(words, args.l2, args.folds, ACOUSTIC_ONLY),
        "clear_reversals_only": reversal_only,
    }
    model = fit(words, args.l2)
    stress_model = WordStressModel(
        model,
        best_threshold(model, words, True),
        {
            "tool": "tools/calibrate_word_stress.py",
            "corpus": "speechocean762 train split: " + " + ".join(corpus.name for corpus in args.corpus),
            "words": len(words),
            "wrong_stress": wrong,
            "speakers": len({w.speaker for w in words}),
            "l2": args.l2,
            "beta": BETA,
            "speaker_cv": cv,
        },
    )
    if not args.dry_run:
        stress_model.save(args.output)
        log.info("wrote %s", args.output)
    print(json.dumps({"threshold": stress_model.threshold, **cv}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
