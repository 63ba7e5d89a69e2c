"""The ``phonetic`` backend: the offline CPU default that assesses with PocketSphinx, Whisper and fitted scores.

Per request: expected phones from :mod:`inference_daemon.pronunciation`, forced alignment and a
competition of each word against its frequent learner errors (:mod:`.analysis`), and, in a second
thread at the same time, Whisper's evidence for each word and the same errors spelled as words
(:mod:`inference_daemon.whisper_evidence`); phone and word scores from the fitted calibration
(:mod:`.scoring`), errors and word status (:mod:`.errors`), explanations and suggestions from
:mod:`inference_daemon.phonetics`. Without Whisper's runtime or model the backend runs on
PocketSphinx alone with its own calibration, and says so once in the log and in ``/v1/info``.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import version

import numpy as np

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.backends.base import AssessmentRequest, Backend, BackendInfo
from inference_daemon.backends.phonetic.alignment import AlignedWord
from inference_daemon.backends.phonetic.analysis import Analysis, analyse
from inference_daemon.backends.phonetic.competition import Competitor, competitors
from inference_daemon.backends.phonetic.decoders import MODEL_NAME, thread_decoders
from inference_daemon.backends.phonetic.delivery import delivery_features, speech_tracks
from inference_daemon.backends.phonetic.errors import judge_word, read_but_not_placed, with_stress_error
from inference_daemon.backends.phonetic.features import phone_features, word_features
from inference_daemon.backends.phonetic.scoring import PhoneticCalibration, calibration_path, default_calibration
from inference_daemon.backends.phonetic.sentence_scores import default_sentence_scorer, overall_score
from inference_daemon.backends.phonetic.word_stress import (
    default_word_stress_model,
    expected_stress,
    stress_error,
    syllable_cues,
)
from inference_daemon.calibration import sigmoid
from inference_daemon.feedback import (
    FeedbackDocument,
    PhoneError,
    PhoneScore,
    WordFeedback,
    WordStatus,
)
from inference_daemon.phonetics import advise_word, not_heard_word, summarize
from inference_daemon.pronunciation import Lexicon, TargetWord, target_words
from inference_daemon.pronunciation.stress import shown_stress
from inference_daemon.sentence_scores.pitch_track import voiced_seconds
from inference_daemon.whisper_evidence import (
    BUNDLED_NAME,
    EncodedRecording,
    WhisperModel,
    WhisperUnavailable,
    WordEvidence,
    gather_evidence,
    resolve_model_path,
)

log = logging.getLogger(__name__)

# Pronunciations of one word offered to the aligner (its tokens' dictionary variants, combined).
MAX_PRONUNCIATIONS = 4
# Below this mean word score, with most words flagged, the reading probably was another sentence. It
# reads the word scores, not the overall score: the rule is about the words not matching, and the
# overall score also weighs delivery (a fluent reading of another sentence must still be caught).
MISMATCH_WORD_MEAN = 35.0
MISMATCH_WORD_SHARE = 0.6
# When only the last-resort aligner could fit the sentence (no fillers: the recording hardly fits
# it), half the words flagged is enough: espeak-ng's readings of another sentence then had 70 % of
# their words flagged with a mean word score near 40, correct readings in British voices that needed
# the same aligner at most one word in five.
FORCED_MISMATCH_WORD_SHARE = 0.5
# A sentence this short is never called "something else was read": with one or two words a badly
# said word and another word cannot be told apart, and the word's own flag says what is needed
# (a one-word card read in a British voice was told the recording did not match).
MISMATCH_MIN_WORDS = 3
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


def whisper_evidence(
    model: WhisperModel, recording: EncodedRecording, words: list[TargetWord], pronunciations: list[list[list[str]]]
) -> list[WordEvidence]:
    """Whisper's evidence for every word, its competitors being the competition's (built on each
    word's primary pronunciation): what the backend, its calibration tool and benches all score."""
    return gather_evidence(
        model, recording, words, [p[0] for p in pronunciations], [competitors(p) for p in pronunciations]
    )


def _round(value: float) -> float:
    return round(float(np.clip(value, 0.0, 100.0)), 1)


class PhoneticBackend(Backend):
    """PocketSphinx alignment + competition with frequent errors, Whisper word evidence, scores
    calibrated on speechocean762; CPU only, offline."""

    name = "phonetic"

    def __init__(self, whisper_model: str | None = None, use_whisper: bool = True, whisper_threads: int = 2) -> None:
        self.whisper_model_spec = whisper_model
        self.use_whisper = use_whisper
        self.whisper_threads = whisper_threads
        self._whisper: WhisperModel | None = None
        self._whisper_note = "turned off (--no-whisper)" if not use_whisper else "not loaded yet"
        self._pool: ThreadPoolExecutor | None = None
        self._loaded = False

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("phonetic backend (PocketSphinx + Whisper evidence)")
        group.add_argument(
            "--whisper-model",
            default=None,
            metavar="PATH",
            help=f"CTranslate2 Whisper folder for the neural word evidence (default: the bundled {BUNDLED_NAME})",
        )
        group.add_argument(
            "--no-whisper", action="store_true", help="PocketSphinx evidence only (faster, misses more errors)"
        )
        group.add_argument("--whisper-threads", type=int, default=2,
                           help="CPU threads of the Whisper model (default: %(default)s, shared with PocketSphinx)")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> PhoneticBackend:
        return cls(
            whisper_model=getattr(args, "whisper_model", None),
            use_whisper=not getattr(args, "no_whisper", False),
            whisper_threads=getattr(args, "whisper_threads", 2),
        )

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        started = time.perf_counter()
        Lexicon.default()
        thread_decoders()
        if self.use_whisper:
            self._load_whisper()
        default_calibration(self._whisper is not None)
        default_calibration(False)
        default_sentence_scorer()
        self._loaded = True
        log.info("phonetic backend loaded in %.2f s; evidence: %s", time.perf_counter() - started, self.evidence)

    def _load_whisper(self) -> None:
        """The Whisper model, or PocketSphinx alone when the default one is not installed; a model the
        user named that cannot load is an error, not a silent downgrade."""
        try:
            if not calibration_path(True).is_file():
                raise WhisperUnavailable(f"no calibration for Whisper's evidence at {calibration_path(True)}")
            model = WhisperModel(resolve_model_path(self.whisper_model_spec), threads=self.whisper_threads)
            model.load()
        except WhisperUnavailable as exc:
            if self.whisper_model_spec is not None:
                raise
            self._whisper_note = f"unavailable: {exc}"
            log.warning("Whisper evidence is off, assessing with PocketSphinx alone: %s", exc)
            return
        self._whisper = model
        self._whisper_note = f"whisper {model.name}"
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="whisper-evidence")
        self._warm_up_whisper(model)

    @staticmethod
    def _warm_up_whisper(model: WhisperModel) -> None:
        """One pass on a second of silence at load, so that the first learner's request does not pay
        for the first-call allocations, the silence encoding of the priors and the reverse index of
        the pronouncing dictionary (about 2 s together)."""
        words = target_words("think")
        silence = np.zeros(SAMPLE_RATE, dtype=np.float32)
        whisper_evidence(model, model.encode(silence), words, [word_pronunciations(w) for w in words])

    @property
    def whisper_model(self) -> WhisperModel | None:
        """The Whisper model in use, ``None`` when assessing with PocketSphinx alone."""
        return self._whisper

    @property
    def evidence(self) -> list[str]:
        """Which evidence sources assess requests (for ``/v1/info`` and the log)."""
        return ["pocketsphinx", *([self._whisper_note] if self._whisper is not None else [])]

    def calibration(self, with_whisper: bool | None = None) -> PhoneticCalibration:
        return default_calibration(self._whisper is not None if with_whisper is None else with_whisper)

    def describe(self) -> BackendInfo:
        provenance = self.calibration().models.provenance
        return BackendInfo(
            name=self.name,
            model=self._model_name(),
            version=version("pocketsphinx"),
            details={
                "evidence": self.evidence,
                "whisper": self._whisper_note,
                "calibration": provenance.get("corpus", "unknown"),
                "calibration_cv": provenance.get("speaker_cv", {}),
            },
        )

    def _model_name(self) -> str:
        return MODEL_NAME if self._whisper is None else f"{MODEL_NAME} + whisper {self._whisper.name}"

    def assess(self, request: AssessmentRequest) -> FeedbackDocument:
        words = target_words(request.text)
        pronunciations = [word_pronunciations(w) for w in words]
        heard = self._start_whisper(request, words, pronunciations)
        analysis = analyse(thread_decoders(), request.audio, pronunciations)
        whisper = self._whisper_result(request, heard)
        if analysis is None:
            log.info("request %s: alignment failed", request.request_id)
            return self._unmatched_document(request, words)
        return self._document(request, words, analysis, whisper)

    def _start_whisper(
        self, request: AssessmentRequest, words: list[TargetWord], pronunciations: list[list[list[str]]]
    ) -> Future[list[WordEvidence]] | None:
        """Whisper's evidence, computed in another thread while PocketSphinx aligns (two cores)."""
        model, pool = self._whisper, self._pool
        if model is None or pool is None:
            return None
        return pool.submit(lambda: whisper_evidence(model, model.encode(request.audio), words, pronunciations))

    @staticmethod
    def _whisper_result(
        request: AssessmentRequest, heard: Future[list[WordEvidence]] | None
    ) -> list[WordEvidence] | None:
        if heard is None:
            return None
        try:
            return heard.result()
        except Exception:  # the request is still assessed, on PocketSphinx's evidence
            log.exception("request %s: Whisper evidence failed; PocketSphinx alone for it", request.request_id)
            return None

    def _document(
        self,
        request: AssessmentRequest,
        words: list[TargetWord],
        analysis: Analysis,
        whisper: list[WordEvidence] | None,
    ) -> FeedbackDocument:
        calibration = self.calibration(whisper is not None)
        models = calibration.models
        found_whisper = None if whisper is None else [whisper[word.index] for word in analysis.words]
        phone_rows = phone_features(analysis.evidence, analysis.contests, found_whisper)
        phone_logits = models.phone_model.logits(phone_rows)
        phone_scores = 100.0 * sigmoid(phone_logits)
        word_scores = 100.0 * models.word_model.probabilities(
            word_features(analysis.evidence, phone_logits, analysis.contests, found_whisper)
        )
        feedback = self._missing_words(words)
        tracks = speech_tracks(analysis, request.audio)
        offset = 0
        for number, (aligned, evidence, contest, word_score) in enumerate(
            zip(analysis.words, analysis.evidence, analysis.contests, word_scores, strict=True)
        ):
            target = words[aligned.index]
            scores = phone_scores[offset : offset + len(evidence)]
            offset += len(evidence)
            heard_rival = (
                None
                if found_whisper is None
                else _heard_rival(found_whisper[number], aligned.pronunciation, calibration)
            )
            if heard_rival is not None and not models.word_mispronounced(word_score):
                # Flagged on Whisper's evidence: the score says so too, instead of a passing mark.
                word_score = min(word_score, models.word_threshold - 0.1)
            unplaced = heard_rival is None and read_but_not_placed(
                evidence, None if found_whisper is None else found_whisper[number].mean_log_prob
            )
            if unplaced:
                word_score = max(word_score, models.word_threshold)
            verdict = judge_word(
                evidence,
                contest,
                [models.phone_wrong(s) for s in scores],
                models.word_mispronounced(word_score),
                heard_rival,
            )
            # A word PocketSphinx could not place has no syllables measured to judge its stress by.
            wrong_stress = None if unplaced else self.word_stress_error(target, aligned, analysis, tracks, word_score)
            if wrong_stress is not None:
                verdict = with_stress_error(verdict, wrong_stress)
                # Flagged for its stress: the score says so too, instead of a passing mark.
                word_score = min(word_score, models.word_threshold - 0.1)
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
                expected_stress=shown_stress(target.tokens, aligned.pronunciation),
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
        reported = [w.score for w in feedback]
        flagged = sum(w.status is not WordStatus.ok for w in feedback) / len(feedback)
        if len(words) >= MISMATCH_MIN_WORDS and (
                (np.mean(reported) < MISMATCH_WORD_MEAN and flagged >= MISMATCH_WORD_SHARE)
                or (analysis.forced and flagged >= FORCED_MISMATCH_WORD_SHARE)):
            warnings.append(NOT_MATCHED_WARNING)
        sentence = self._sentence_scores(request, words, analysis, feedback, tracks)
        score = _round(overall_score(sentence.pop("score"), reported))
        summary, suggestions = summarize(feedback, score, request.native_language)
        if warnings:
            summary = " ".join([*warnings, summary])
        document = self._finish(request, score, feedback, summary, suggestions, warnings)
        return document.model_copy(update=sentence)

    @staticmethod
    def word_stress_error(target: TargetWord, aligned: AlignedWord, analysis: Analysis,
                      tracks: tuple[np.ndarray, np.ndarray], word_score: float) -> PhoneError | None:
        """A stress error when another syllable than the dictionary's stood out (words of one token and
        two or more syllables whose stress the dictionary knows; none without the fitted model)."""
        model = default_word_stress_model()
        expected = expected_stress(target.tokens[0], aligned) if model is not None and len(target.tokens) == 1 else None
        if model is None or expected is None:
            return None
        semitones, intensity = tracks
        cues = syllable_cues(aligned, analysis.seconds, semitones, intensity, analysis.seconds(analysis.words[0].start))
        judgement = model.judge(cues, expected, word_score)
        return stress_error(judgement, aligned) if judgement.wrong else None

    @staticmethod
    def _sentence_scores(request: AssessmentRequest, words: list[TargetWord], analysis: Analysis,
                         feedback: list[WordFeedback],
                         tracks: tuple[np.ndarray, np.ndarray]) -> dict[str, float | None]:
        """Completeness from the word verdicts; the fitted overall score (before its cap), fluency and
        prosody from the delivery features through the fitted sentence models (null without them). The
        models were fitted on the word scores of the PocketSphinx + Whisper calibration; the
        PocketSphinx-alone scores are on the same scale."""
        read = sum(word.status is not WordStatus.missing for word in feedback)
        result: dict[str, float | None] = {"completeness": _round(100.0 * read / len(words)),
                                           "score": None, "fluency": None, "prosody": None}
        scorer = default_sentence_scorer()
        if scorer is not None:
            row = delivery_features(analysis, request.audio, len(words), [word.score for word in feedback], tracks)
            scores = scorer.scores(row, voiced_seconds(tracks[0]))
            result.update({name: _round(value) for name, value in scores.items()})
        return result

    @staticmethod
    def _missing_words(words: list[TargetWord]) -> list[WordFeedback]:
        """Every word as not heard (the aligned ones are replaced by their verdicts)."""
        return [not_heard_word(w) for w in words]

    def _unmatched_document(self, request: AssessmentRequest, words: list[TargetWord]) -> FeedbackDocument:
        feedback = self._missing_words(words)
        document = self._finish(request, 0.0, feedback, NOT_MATCHED_WARNING, [], [NOT_MATCHED_WARNING])
        # Not one word of the sentence was found: nothing of it was read; how it was read is unknown.
        return document.model_copy(update={"completeness": 0.0})

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
            model=self._model_name(),
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


def _heard_rival(heard: WordEvidence, aligned: list[str], calibration: PhoneticCalibration) -> Competitor | None:
    """Whisper's best competitor of the word when its delta passes the calibrated margin and it changes the
    pronunciation that was aligned (competitors are built on the primary one, which a dictionary
    variant of another length would not line up with)."""
    best = heard.best_rival
    if best is None or not calibration.rival_wins(best.delta):
        return None
    if len(best.competitor.phones) - len(aligned) not in (-1, 0):
        return None
    return Competitor(tuple(best.competitor.phones), best.competitor.position)
