"""The ``phonetic`` backend: the offline CPU default that assesses with PocketSphinx and fitted scores.

Per request: expected phones from :mod:`inference_daemon.pronunciation`, forced alignment and a
competition of each word against its frequent learner errors (:mod:`.analysis`), phone and word
scores from the fitted calibration (:mod:`.scoring`), errors and word status (:mod:`.errors`),
explanations and suggestions from :mod:`inference_daemon.phonetics`. Decoders are loaded once per worker thread.
"""

from __future__ import annotations

import itertools
import logging
import time
from importlib.metadata import version

import numpy as np

from inference_daemon.backends.base import AssessmentRequest, Backend, BackendInfo
from inference_daemon.backends.phonetic.analysis import Analysis, analyse
from inference_daemon.backends.phonetic.decoders import MODEL_NAME, thread_decoders
from inference_daemon.backends.phonetic.errors import judge_word
from inference_daemon.backends.phonetic.features import phone_features, word_features
from inference_daemon.backends.phonetic.scoring import Calibration, default_calibration
from inference_daemon.calibration import sigmoid
from inference_daemon.feedback import (
    ErrorType,
    FeedbackDocument,
    PhoneError,
    PhoneScore,
    WordFeedback,
    WordStatus,
)
from inference_daemon.phonetics import advise_word, summarize
from inference_daemon.pronunciation import Lexicon, TargetWord, target_words

log = logging.getLogger(__name__)

# Pronunciations of one word offered to the aligner (its tokens' dictionary variants, combined).
MAX_PRONUNCIATIONS = 4
# Below this sentence score, with most words flagged, the reading probably was another sentence.
MISMATCH_SCORE = 35.0
MISMATCH_WORD_SHARE = 0.6
PARTIAL_WARNING = (
    "Only {aligned} of {total} words could be found in the recording; the others are marked as "
    "missing. Did the recording stop early, or were words skipped?"
)
NOT_MATCHED_WARNING = (
    "The recording could not be matched to the sentence: it sounds like something else was read, "
    "or the recording is very noisy. The scores below are not reliable."
)


def word_pronunciations(word: TargetWord) -> list[list[str]]:
    """The word's valid pronunciations, primary first: its tokens' dictionary variants combined."""
    combined = itertools.islice(itertools.product(*word.variants), MAX_PRONUNCIATIONS)
    return [[phone for token in combination for phone in token] for combination in combined]


def _round(value: float) -> float:
    return round(float(np.clip(value, 0.0, 100.0)), 1)


class PhoneticBackend(Backend):
    """Forced alignment + competition with frequent errors, calibrated on speechocean762; one core, offline."""

    name = "phonetic"

    def __init__(self) -> None:
        self._calibration: Calibration | None = None

    @property
    def loaded(self) -> bool:
        return self._calibration is not None

    def load(self) -> None:
        started = time.perf_counter()
        Lexicon.default()
        thread_decoders()
        self._calibration = default_calibration()
        log.info("phonetic backend loaded in %.2f s", time.perf_counter() - started)

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = default_calibration()
        return self._calibration

    def describe(self) -> BackendInfo:
        provenance = self.calibration.provenance
        return BackendInfo(
            name=self.name,
            model=MODEL_NAME,
            version=version("pocketsphinx"),
            details={
                "calibration": provenance.get("corpus", "unknown"),
                "calibration_cv": provenance.get("speaker_cv", {}),
            },
        )

    def assess(self, request: AssessmentRequest) -> FeedbackDocument:
        words = target_words(request.text)
        analysis = analyse(thread_decoders(), request.audio, [word_pronunciations(w) for w in words])
        if analysis is None:
            log.info("request %s: alignment failed", request.request_id)
            return self._unmatched_document(request, words)
        return self._document(request, words, analysis)

    def _document(self, request: AssessmentRequest, words: list[TargetWord], analysis: Analysis) -> FeedbackDocument:
        calibration = self.calibration
        phone_rows = phone_features(analysis.evidence, analysis.contests)
        phone_logits = calibration.phone_model.logits(phone_rows)
        phone_scores = 100.0 * sigmoid(phone_logits)
        word_scores = 100.0 * calibration.word_model.probabilities(
            word_features(analysis.evidence, phone_logits, analysis.contests)
        )
        feedback = self._missing_words(words)
        offset = 0
        for aligned, evidence, contest, word_score in zip(
            analysis.words, analysis.evidence, analysis.contests, word_scores, strict=True
        ):
            target = words[aligned.index]
            scores = phone_scores[offset : offset + len(evidence)]
            offset += len(evidence)
            verdict = judge_word(
                evidence,
                contest,
                [calibration.phone_wrong(s) for s in scores],
                calibration.word_mispronounced(word_score),
            )
            explanation, suggestion = (None, None)
            if verdict.status is not WordStatus.ok:
                explanation, suggestion = advise_word(
                    target.text, aligned.pronunciation, verdict.errors, request.native_language
                )
            feedback[aligned.index] = WordFeedback(
                index=target.index,
                text=target.text,
                start=self._clip(analysis.seconds(aligned.start), request),
                end=self._clip(analysis.seconds(aligned.end), request),
                score=_round(word_score),
                status=verdict.status,
                expected_phones=aligned.pronunciation,
                heard_phones=verdict.heard_phones,
                errors=verdict.errors,
                explanation=explanation,
                suggestion=suggestion,
                phones=[
                    PhoneScore(
                        phone=item.aligned.phone,
                        start=self._clip(analysis.seconds(item.aligned.start), request),
                        end=self._clip(analysis.seconds(item.aligned.end), request),
                        score=_round(score),
                        heard=item.heard,
                    )
                    for item, score in zip(evidence, scores, strict=True)
                ],
            )
        warnings = []
        if len(analysis.words) < len(words):
            warnings.append(PARTIAL_WARNING.format(aligned=len(analysis.words), total=len(words)))
        score = _round(float(np.mean([w.score for w in feedback])))
        flagged = sum(w.status is not WordStatus.ok for w in feedback) / len(feedback)
        if score < MISMATCH_SCORE and flagged >= MISMATCH_WORD_SHARE:
            warnings.append(NOT_MATCHED_WARNING)
        summary, suggestions = summarize(feedback, score, request.native_language)
        if warnings:
            summary = " ".join([*warnings, summary])
        return self._finish(request, score, feedback, summary, suggestions, warnings)

    @staticmethod
    def _missing_words(words: list[TargetWord]) -> list[WordFeedback]:
        return [
            WordFeedback(
                index=w.index,
                text=w.text,
                score=0.0,
                status=WordStatus.missing,
                expected_phones=w.phones,
                errors=[
                    PhoneError(type=ErrorType.deletion, expected=phone, position=i) for i, phone in enumerate(w.phones)
                ],
            )
            for w in words
        ]

    def _unmatched_document(self, request: AssessmentRequest, words: list[TargetWord]) -> FeedbackDocument:
        feedback = self._missing_words(words)
        return self._finish(request, 0.0, feedback, NOT_MATCHED_WARNING, [], [NOT_MATCHED_WARNING])

    def _finish(
        self,
        request: AssessmentRequest,
        score: float,
        words: list[WordFeedback],
        summary: str,
        suggestions: list[str],
        warnings: list[str],
    ) -> FeedbackDocument:
        return FeedbackDocument(
            request_id=request.request_id,
            text=request.text,
            backend=self.name,
            model=MODEL_NAME,
            duration_s=request.duration_s,
            processing_s=0.0,
            score=score,
            words=words,
            summary=summary,
            suggestions=suggestions,
            warnings=warnings,
        )

    @staticmethod
    def _clip(seconds: float, request: AssessmentRequest) -> float:
        return round(min(seconds, request.duration_s), 3)
