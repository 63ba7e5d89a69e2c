"""Evaluate any backend on speechocean762-style data, through the daemon's own code path.

Prints word-level mispronunciation detection (gold: the experts' median word accuracy is 6 or less),
Pearson correlations of phone, word and sentence scores with the human scores (sentence level: the
overall score with accuracy, and fluency, prosody and completeness with the experts' labels where
the backend fills them and the corpus has them), word stress (a ``stress`` error against the experts'
per-word stress label: agreement, precision, recall), and speed; writes the same figures (and
per-utterance results) as JSON with ``--json-out``.

    python tools/evaluate_speechocean.py ../shared/data/speechocean762-dev --split train
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from inference_daemon.backends import DEFAULT_BACKEND, backend_class
from inference_daemon.calibration.metrics import pearson
from inference_daemon.datasets.speechocean import ScoredUtterance, read_split
from inference_daemon.errors import AssessmentError
from inference_daemon.evaluation.metrics import DetectionCounts
from inference_daemon.feedback import ErrorType, FeedbackDocument, WordStatus
from inference_daemon.pipeline import assess_now, prepare_request

log = logging.getLogger("evaluate_speechocean")

# The document's sentence-level fields and the corpus's label for each.
SENTENCE_LABELS = {"fluency": "fluency", "prosody": "prosodic", "completeness": "completeness"}
# The experts' median stress score of a word stressed wrong (10: right).
WRONG_STRESS = 5.0


@dataclass
class Collected:
    """Paired system and human figures over the evaluated utterances."""

    word_scores: list[float] = field(default_factory=list)
    word_accuracy: list[float] = field(default_factory=list)
    detection: DetectionCounts = field(default_factory=DetectionCounts)
    # Stress errors named against the experts' stress label, over the words that have one.
    stress: DetectionCounts = field(default_factory=DetectionCounts)
    phone_scores: list[float] = field(default_factory=list)
    phone_accuracy: list[float] = field(default_factory=list)
    sentence_scores: list[float] = field(default_factory=list)
    sentence_accuracy: list[float] = field(default_factory=list)
    # Per sentence-level field of the document: (system score, experts' label) where both exist.
    sentence_labels: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {name: [] for name in SENTENCE_LABELS}
    )
    audio_s: float = 0.0
    processing_s: float = 0.0
    utterances: int = 0
    failed: int = 0
    word_mismatch: int = 0

    def add(self, document: FeedbackDocument, gold: ScoredUtterance, seconds: float) -> None:
        self.utterances += 1
        self.audio_s += document.duration_s
        self.processing_s += seconds
        self.sentence_scores.append(document.score)
        self.sentence_accuracy.append(gold.accuracy)
        for name, label in SENTENCE_LABELS.items():
            system, expert = getattr(document, name), getattr(gold, label)
            if system is not None and expert is not None:
                self.sentence_labels[name].append((system, expert))
        if len(document.words) != len(gold.words):
            self.word_mismatch += 1
            return
        mispronounced = {i for i, gold_word in enumerate(gold.words) if gold_word.mispronounced}
        flagged = {i for i, word in enumerate(document.words) if word.status is not WordStatus.ok}
        self.detection.add(mispronounced, flagged, len(document.words))
        labelled = {i for i, gold_word in enumerate(gold.words) if gold_word.stress is not None}
        wrong_stress = {i for i in labelled if (gold.words[i].stress or 0) <= WRONG_STRESS}
        named_stress = {i for i in labelled
                        if any(error.type is ErrorType.stress for error in document.words[i].errors)}
        self.stress.add(wrong_stress, named_stress, len(labelled))
        for word, gold_word in zip(document.words, gold.words, strict=True):
            self.word_scores.append(word.score)
            self.word_accuracy.append(gold_word.accuracy)
            if word.phones is not None and len(word.phones) == len(gold_word.phone_scores):
                self.phone_scores.extend(p.score for p in word.phones)
                self.phone_accuracy.extend(gold_word.phone_scores)

    def metrics(self) -> dict[str, Any]:
        """Detection over the words of utterances whose words matched (precision, recall, F1: ``None``
        where undefined), Pearson r of the scores with the experts', speed."""
        detection = self.detection.metrics()
        stress = self.stress.metrics()
        return {
            "utterances": self.utterances,
            "failed": self.failed,
            "utterances_with_other_words": self.word_mismatch,
            "words": len(self.word_scores),
            "gold_mispronounced": detection["annotated_mispronounced"],
            "precision": detection["precision"],
            "recall": detection["recall"],
            "f1": detection["f1"],
            "word_pearson": pearson(self.word_scores, self.word_accuracy),
            "phone_pearson": pearson(self.phone_scores, self.phone_accuracy),
            "phones": len(self.phone_scores),
            "sentence_pearson": pearson(self.sentence_scores, self.sentence_accuracy),
            **{f"{name}_pearson": pearson([s for s, _ in pairs], [e for _, e in pairs]) if pairs else None
               for name, pairs in self.sentence_labels.items()},
            **{f"{name}_utterances": len(pairs) for name, pairs in self.sentence_labels.items()},
            "stress_words": stress["words"],
            "stress_gold_wrong": stress["annotated_mispronounced"],
            "stress_agreement": stress["accuracy"],
            "stress_precision": stress["precision"],
            "stress_recall": stress["recall"],
            "audio_s": self.audio_s,
            "processing_s": self.processing_s,
            "real_time_factor": self.processing_s / max(self.audio_s, 1e-9),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder in speechocean762's layout")
    parser.add_argument("--split", default="test", help="split folder with text and wav.scp (default: test)")
    parser.add_argument("--backend", default=DEFAULT_BACKEND, help="backend name or module:Class")
    parser.add_argument("--limit", type=int, help="evaluate only the first N utterances")
    parser.add_argument("--native-language", default="zh", help="passed with every request (corpus: zh)")
    parser.add_argument("--json-out", type=Path, help="write the metrics and per-utterance results here")
    known, _ = parser.parse_known_args(argv)
    cls = backend_class(known.backend)
    cls.add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    utterances = sorted(read_split(args.corpus, args.split), key=lambda u: u.utterance_id)[: args.limit]

    backend = cls.from_arguments(args)
    backend.load()
    collected = Collected()
    results = []
    for utterance in tqdm(utterances, desc=f"{backend.name} on {args.split}"):
        audio_bytes = utterance.audio_path.read_bytes()
        started = time.perf_counter()
        try:
            request = prepare_request(
                audio_bytes, utterance.text, native_language=args.native_language, request_id=utterance.utterance_id
            )
            document = assess_now(backend, request)
        except AssessmentError as exc:
            log.warning("%s: %s", utterance.utterance_id, exc.message)
            collected.failed += 1
            continue
        collected.add(document, utterance, time.perf_counter() - started)
        results.append(document.model_dump(mode="json"))

    metrics = {"backend": backend.describe().name, "model": backend.describe().model, "split": args.split}
    metrics.update(collected.metrics())
    print(json.dumps(metrics, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps({"metrics": metrics, "documents": results}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
