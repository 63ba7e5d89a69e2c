"""Score one feedback document against its annotated utterance, and sum the scores of a test set.

The document's words follow the sentence (see :mod:`inference_daemon.evaluation.reference`), so a
word is compared with the annotation at the same sentence position. Phone-level MDD is scored
only for documents that carry phones (``heard_phones`` or ``phones`` on some word) and only for
words whose expected phones equal the annotation's canonical phones; the others are counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

from inference_daemon.datasets.records import UNCLEAR, AnnotatedUtterance, AnnotatedWord, PhoneKind
from inference_daemon.evaluation.metrics import (
    DetectionCounts,
    MddCounts,
    bertscore_f1,
    bleu2,
    feedback_string,
    rouge_l,
)
from inference_daemon.evaluation.reference import Reference, reference_for
from inference_daemon.feedback import ErrorType, FeedbackDocument, WordFeedback, WordStatus


def gives_phones(document: FeedbackDocument) -> bool:
    """Whether the backend said which phones it heard (so phone-level MDD can be scored)."""
    return any(w.heard_phones is not None or w.phones is not None for w in document.words)


def word_mdd(annotation: AnnotatedWord, predicted: WordFeedback) -> MddCounts | None:
    """MDD counts of one word; None when the system expected other phones than the annotators."""
    if predicted.expected_phones != annotation.canonical_phones:
        return None
    rejected: dict[int, str | None] = {
        e.position: e.heard for e in predicted.errors if e.type in (ErrorType.substitution, ErrorType.deletion)
    }
    if predicted.status is WordStatus.missing and not predicted.errors:
        rejected = dict.fromkeys(range(len(annotation.canonical_phones)))
    counts = MddCounts()
    position = 0
    for phone in annotation.phones:
        if phone.kind is PhoneKind.addition:
            continue
        wrong = phone.kind is not PhoneKind.correct
        diagnosed: bool | None = None
        if wrong and position in rejected and phone.perceived != UNCLEAR:
            diagnosed = rejected[position] == phone.perceived
        counts.add_phone(wrong, position in rejected, diagnosed)
        position += 1
    return counts


def _reference_items(reference: Reference) -> list[tuple[str, str, str]]:
    """(word, issue, suggestion) of the annotated mispronounced words, in sentence order."""
    items = []
    for word in reference.words:
        if word.mispronounced and word.annotation is not None:
            issue = " ".join(item.get("issue", "") for item in word.annotation.feedback)
            suggestion = " ".join(item.get("suggestion", "") for item in word.annotation.feedback)
            items.append((word.text, issue, suggestion))
    return items


@dataclass
class UtteranceScore:
    """How one document compares with its annotation."""

    utterance_id: str
    words: int
    annotated: list[int]
    named: list[int]
    named_not_in_sentence: int
    reference_feedback: str
    system_feedback: str
    bleu2: float
    rouge_l: float
    mdd: MddCounts | None
    phone_words_skipped: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "utterance_id": self.utterance_id, "annotated": self.annotated, "named": self.named,
            "named_not_in_sentence": self.named_not_in_sentence, "reference_feedback": self.reference_feedback,
            "system_feedback": self.system_feedback, "bleu2": self.bleu2, "rouge_l": self.rouge_l,
            "mdd": self.mdd.metrics() if self.mdd is not None else None,
        }


def score_document(utterance: AnnotatedUtterance, document: FeedbackDocument,
                   named_not_in_sentence: int = 0) -> UtteranceScore:
    """Compare a system's document with the utterance's annotation."""
    reference = reference_for(utterance)
    if len(document.words) != len(reference.words):
        raise ValueError(f"{utterance.utterance_id}: the document has {len(document.words)} words, the sentence "
                         f"{len(reference.words)}")
    annotated = sorted(reference.mispronounced_indexes)
    flagged = document.mispronounced_words
    named = [w.index for w in flagged]
    reference_items = _reference_items(reference)
    system_items = [(w.text, w.explanation or "", w.suggestion or "") for w in flagged]
    reference_text, system_text = feedback_string(reference_items), feedback_string(system_items)
    mdd: MddCounts | None = None
    skipped = 0
    if gives_phones(document):
        mdd = MddCounts()
        for word, predicted in zip(reference.words, document.words, strict=True):
            if word.annotation is None:
                continue
            counts = word_mdd(word.annotation, predicted)
            if counts is None:
                skipped += 1
            else:
                mdd += counts
    return UtteranceScore(
        utterance_id=utterance.utterance_id, words=len(reference.words), annotated=annotated, named=named,
        named_not_in_sentence=named_not_in_sentence, reference_feedback=reference_text, system_feedback=system_text,
        bleu2=bleu2(reference_text, system_text), rouge_l=rouge_l(reference_text, system_text), mdd=mdd,
        phone_words_skipped=skipped,
    )


def score_failure(utterance: AnnotatedUtterance) -> UtteranceScore:
    """A system that gave no valid answer named no word and wrote no feedback (scored, not left out)."""
    reference = reference_for(utterance)
    reference_items = _reference_items(reference)
    return UtteranceScore(
        utterance_id=utterance.utterance_id, words=len(reference.words),
        annotated=sorted(reference.mispronounced_indexes), named=[], named_not_in_sentence=0,
        reference_feedback=feedback_string(reference_items), system_feedback="", bleu2=0.0, rouge_l=0.0, mdd=None,
    )


@dataclass
class Benchmark:
    """The scores of one system over a test set, summed into the benchmark's figures."""

    scores: list[UtteranceScore] = field(default_factory=list)
    failed: int = 0

    def add(self, score: UtteranceScore) -> None:
        self.scores.append(score)

    def add_failure(self, utterance: AnnotatedUtterance) -> None:
        self.scores.append(score_failure(utterance))
        self.failed += 1

    def summary(self, bertscore_model: Path | None = None) -> dict[str, Any]:
        detection = DetectionCounts()
        mdd = MddCounts()
        phone_scored = 0
        for score in self.scores:
            detection.add(set(score.annotated), set(score.named), score.words, score.named_not_in_sentence)
            if score.mdd is not None:
                mdd += score.mdd
                phone_scored += 1
        feedback: dict[str, Any] = {
            "bleu2": fmean(s.bleu2 for s in self.scores) if self.scores else None,
            "rouge_l": fmean(s.rouge_l for s in self.scores) if self.scores else None,
            "bertscore_f1": None,
        }
        if bertscore_model is not None and self.scores:
            feedback["bertscore_f1"] = fmean(bertscore_f1([s.reference_feedback for s in self.scores],
                                                          [s.system_feedback for s in self.scores], bertscore_model))
        return {
            "utterances": len(self.scores),
            "failed": self.failed,
            "detection": detection.metrics(),
            "feedback": feedback,
            "mdd": {**mdd.metrics(), "utterances": phone_scored,
                    "words_skipped": sum(s.phone_words_skipped for s in self.scores)} if phone_scored else None,
        }
