"""The ``ctc`` backend: a neural phoneme recogniser that learners download once and run on CPU or GPU.

Per batch of requests: one forward pass for all recordings (:mod:`.model`); per request: expected
phones from :mod:`inference_daemon.pronunciation` (the dictionary variant the recording supports
best), evidence from forced alignment, CTC-GOP and free decoding (:mod:`.analysis`), scores and
errors (:mod:`.scoring`: the checkpoint's fitted scorer when one was calibrated, found by
:mod:`.checkpoint_calibration`, else fixed rules), explanations and suggestions from
:mod:`inference_daemon.phonetics`; fluency and prosody from the alignment's word timings through the
shared timing-only models (:mod:`inference_daemon.sentence_scores`).

    python -m inference_daemon serve --backend ctc --model facebook/wav2vec2-xlsr-53-espeak-cv-ft
"""

from __future__ import annotations

import argparse
import itertools
import logging
from importlib.metadata import version
from pathlib import Path
from typing import ClassVar

import numpy as np

from inference_daemon.backends.base import AssessmentRequest, BackendInfo, BatchingBackend
from inference_daemon.backends.ctc.analysis import Analysis, WordEvidence, analyse, choose_pronunciations
from inference_daemon.backends.ctc.checkpoint_calibration import CALIBRATIONS_DIR, find_calibration
from inference_daemon.backends.ctc.model import CtcPhoneModel
from inference_daemon.backends.ctc.scoring import WordJudgement, judge_words
from inference_daemon.calibration import Calibration
from inference_daemon.errors import AssessmentError
from inference_daemon.feedback import ErrorType, FeedbackDocument, PhoneScore, WordFeedback, WordStatus
from inference_daemon.phonetics import advise_word, not_heard_word, summarize
from inference_daemon.pronunciation import Lexicon, TargetWord, target_words
from inference_daemon.pronunciation.stress import shown_stress
from inference_daemon.sentence_scores import WordTiming, timing_scores

log = logging.getLogger(__name__)

DEFAULT_MODEL = "facebook/wav2vec2-xlsr-53-espeak-cv-ft"
TOO_SHORT_WARNING = (
    "The recording is too short for this sentence: there was no room for all of its sounds. "
    "Read the whole sentence, and keep recording until you have finished."
)
UNSCORED_WARNING = (
    "The model cannot hear the sound{s} /{phones}/, so {word_list} could only be scored on {their} other sounds."
)
NOT_MATCHED_WARNING = (
    "Most words could not be found in the recording: it sounds like something else was read, or the "
    "recording is very noisy. The scores below are not reliable."
)
# Pronunciations of one word compared against the recording (dictionary variants, combined per token).
MAX_PRONUNCIATIONS = 8
# When at least this share of the words is missing, the reading probably was another sentence.
NOT_MATCHED_MISSING_SHARE = 0.6


def pronunciation_options(word: TargetWord, limit: int = MAX_PRONUNCIATIONS) -> list[list[str]]:
    """The word's pronunciations, its tokens' variants combined, the usual one first, at most ``limit``."""
    options: list[list[str]] = []
    for combination in itertools.product(*word.variants):
        phones = [phone for pronunciation in combination for phone in pronunciation]
        if phones not in options:
            options.append(phones)
        if len(options) == limit:
            break
    return options or [word.phones]


def _round(value: float) -> float:
    return round(float(np.clip(value, 0.0, 100.0)), 1)


class CtcBackend(BatchingBackend):
    """CTC phoneme recogniser + forced alignment + CTC-GOP; batches concurrent requests in one forward pass."""

    name = "ctc"
    max_batch_size: ClassVar[int] = 8

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "auto",
                 calibrations: Path = CALIBRATIONS_DIR) -> None:
        self.model_name = model
        self.device = device
        self.calibrations = calibrations
        self._model: CtcPhoneModel | None = None
        self._calibration: tuple[Calibration, Path] | None = None

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--model", default=DEFAULT_MODEL,
                            help="CTC phoneme model: a local folder or a Hugging Face id (default: %(default)s)")
        parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                            help="where the model runs; auto takes CUDA when available (default: %(default)s)")
        parser.add_argument("--calibration", type=Path, default=CALIBRATIONS_DIR,
                            help="a folder searched for the calibration fitted on this checkpoint, or one such "
                                 "file (default: the package's calibrations); none found: fixed rules")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> CtcBackend:
        return cls(args.model, args.device, args.calibration)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        Lexicon.default()
        model = CtcPhoneModel.load(self.model_name, self.device)
        self._calibration = find_calibration(model.fingerprint, self.calibrations)
        if self._calibration is None:
            log.warning("no calibration fitted on checkpoint %s (fingerprint %s) in %s: scoring by the fixed rules; "
                        "tools/calibrate_ctc.py fits one (docs/ctc.md)", self.model_name, model.fingerprint[:16],
                        self.calibrations)
        else:
            log.info("scoring with the calibration fitted on this checkpoint: %s", self._calibration[1])
        self._model = model

    @property
    def model(self) -> CtcPhoneModel:
        if self._model is None:
            self.load()
        assert self._model is not None
        return self._model

    def describe(self) -> BackendInfo:
        details: dict[str, object] = {"batch": self.max_batch_size}
        if self._model is not None:
            details.update(phones=self._model.inventory.notation, unscored_phones=list(self._model.inventory.missing),
                           frame_seconds=self._model.frame_seconds, checkpoint_fingerprint=self._model.fingerprint)
            details.update(self._scoring_details())
        device = self._model.device if self._model is not None else self.device
        return BackendInfo(name=self.name, model=self.model_name, version=version("transformers"), device=device,
                           details=details)

    def _scoring_details(self) -> dict[str, object]:
        if self._calibration is None:
            return {"scoring": "fixed rules (no calibration fitted on this checkpoint)", "calibration": None}
        calibration, path = self._calibration
        return {"scoring": "fitted", "calibration": str(path),
                "calibration_corpus": calibration.provenance.get("corpus", "unknown"),
                "calibration_cv": calibration.provenance.get("speaker_cv", {})}

    def assess_batch(self, requests: list[AssessmentRequest]) -> list[FeedbackDocument | Exception]:
        """One forward pass for every recording; a request that fails does not fail the others."""
        model = self.model
        posteriors = model.log_posteriors([request.audio for request in requests])
        results: list[FeedbackDocument | Exception] = []
        for request, log_probs in zip(requests, posteriors, strict=True):
            try:
                words = target_words(request.text)  # the pipeline has checked the text
                options = [pronunciation_options(word) for word in words]
                expected = choose_pronunciations(log_probs, model.inventory, options)
                analysis = analyse(log_probs, model.inventory, expected)
                results.append(self._document(request, words, expected, analysis))
            except AssessmentError as exc:
                results.append(exc)
            except Exception as exc:
                log.exception("request %s failed", request.request_id)
                results.append(exc)
        return results

    def _document(self, request: AssessmentRequest, words: list[TargetWord], expected: list[list[str]],
                  analysis: Analysis) -> FeedbackDocument:
        warnings = []
        # Null when the recording was too short to tell what was read, or how.
        sentence: dict[str, float | None] = {"completeness": None, "fluency": None, "prosody": None}
        if not analysis.aligned:
            feedback = [not_heard_word(target) for target in words]
            warnings.append(TOO_SHORT_WARNING)
        else:
            judgements = judge_words(analysis.words, self._calibration[0] if self._calibration else None)
            judged = [j.score for j in judgements if j.score is not None]
            # A word with no sound the model can hear gets the others' mean, so as not to bias the sentence.
            fallback = float(np.mean(judged)) if judged else 0.0
            feedback = [
                self._word(request, target, phones, evidence, judgement, fallback)
                for target, phones, evidence, judgement in zip(words, expected, analysis.words, judgements, strict=True)
            ]
            unscored = self._unscored_warning(words, expected)
            if unscored:
                warnings.append(unscored)
            missing = sum(word.status is WordStatus.missing for word in feedback)
            sentence = self._sentence_scores(request, feedback)
            if missing >= NOT_MATCHED_MISSING_SHARE * len(feedback):
                warnings.append(NOT_MATCHED_WARNING)
        score = _round(float(np.mean([word.score for word in feedback])))
        summary, suggestions = summarize(feedback, score, request.native_language)
        return FeedbackDocument(
            request_id=request.request_id, text=request.text, backend=self.name, model=self.model_name,
            duration_s=request.duration_s, processing_s=0.0, score=score, words=feedback, summary=summary,
            suggestions=suggestions, warnings=warnings, completeness=sentence["completeness"],
            fluency=sentence["fluency"], prosody=sentence["prosody"],
        )

    @staticmethod
    def _sentence_scores(request: AssessmentRequest, feedback: list[WordFeedback]) -> dict[str, float | None]:
        """Completeness from the word verdicts; fluency and prosody from the timings of the words read
        (not missing) and the audio, through the shared timing-only models, fitted on PocketSphinx's
        timings since no CTC checkpoint has been run on real speech here (null with no word read)."""
        read = [word for word in feedback if word.status is not WordStatus.missing]
        timings = [WordTiming(word.start, word.end, len(word.expected_phones))
                   for word in read if word.start is not None and word.end is not None]
        scores = timing_scores(timings, request.audio, len(feedback))
        return {"completeness": _round(100.0 * len(read) / len(feedback)),
                **{name: None if value is None else _round(value) for name, value in scores.items()}}

    def _word(self, request: AssessmentRequest, target: TargetWord, expected: list[str], evidence: WordEvidence,
              judgement: WordJudgement, fallback_score: float) -> WordFeedback:
        explanation, suggestion = (None, None)
        if judgement.errors:
            explanation, suggestion = advise_word(target.text, expected, judgement.errors, request.native_language)
        word_score = judgement.score if judgement.score is not None else fallback_score
        wrong = {e.position: e for e in judgement.errors if e.type is not ErrorType.insertion}
        phones = [
            PhoneScore(
                phone=item.phone,
                start=self._seconds(item.start, request),
                end=self._seconds(item.end, request),
                score=_round(score if score is not None else word_score),
                heard=wrong[position].heard if position in wrong else item.phone,
            )
            for position, (item, score) in enumerate(zip(evidence.phones, judgement.phone_scores, strict=True))
        ]
        return WordFeedback(
            index=target.index, text=target.text, start=self._seconds(evidence.start, request),
            end=self._seconds(evidence.end, request), score=_round(word_score), status=judgement.status,
            expected_phones=expected, expected_stress=shown_stress(target.tokens, expected),
            heard_phones=evidence.heard, errors=judgement.errors,
            explanation=explanation, suggestion=suggestion, phones=phones,
        )

    def _seconds(self, frame: int | None, request: AssessmentRequest) -> float | None:
        if frame is None:
            return None
        return round(min(frame * self.model.frame_seconds, request.duration_s), 3)

    def _unscored_warning(self, words: list[TargetWord], expected: list[list[str]]) -> str | None:
        missing = set(self.model.inventory.missing)
        affected = [(word, missing & set(phones)) for word, phones in zip(words, expected, strict=True)]
        affected = [(word, lacking) for word, lacking in affected if lacking]
        if not affected:
            return None
        phones = sorted(set().union(*(lacking for _, lacking in affected)))
        return UNSCORED_WARNING.format(s="s" if len(phones) > 1 else "", phones="/, /".join(phones),
                                       word_list=", ".join(f"“{word.text}”" for word, _ in affected),
                                       their="their" if len(affected) > 1 else "its")
