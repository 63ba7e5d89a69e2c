"""A deterministic backend for tests: it listens to nothing and marks the words it is told to.

The daemon's contract (routes, errors, queue, timeouts) and the add-on's behaviour are tested
against this backend so that their tests do not depend on an acoustic model. It lives under
``tests/`` on purpose: the product has no backend that pretends to assess. Select it with
``--backend tests.support.scripted_backend:ScriptedBackend`` from the repository root.
"""

from __future__ import annotations

import argparse
import threading
import time

from inference_daemon.backends.base import AssessmentRequest, BackendInfo, BatchingBackend
from inference_daemon.errors import AssessmentError
from inference_daemon.feedback import ErrorType, FeedbackDocument, PhoneError, WordFeedback, WordStatus
from inference_daemon.sentence import split_words

SENTENCE_SCORES = ("fluency", "prosody", "completeness")


class ScriptedBackend(BatchingBackend):
    """Marks the words named by ``--mispronounce`` as mispronounced; may sleep to simulate a slow model.

    ``--fluency``, ``--prosody`` and ``--completeness`` are given back as the sentence-level scores
    (null when not given), so the add-on's display of them can be tested through the real daemon.
    """

    name = "scripted"

    def __init__(self, mispronounce: list[str] | None = None, delay_s: float = 0.0, batch_size: int = 1,
                 fail_load: bool = False, sentence_scores: dict[str, float | None] | None = None) -> None:
        self.mispronounce = {w.lower() for w in mispronounce or []}
        self.sentence_scores = sentence_scores or {}
        self.delay_s = delay_s
        self.max_batch_size = batch_size  # type: ignore[misc]  # instance override of the class default
        self.fail_load = fail_load
        self.batches: list[int] = []
        self._loaded = False
        self._lock = threading.Lock()

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--mispronounce", action="append", default=[], help="word to mark (repeatable)")
        parser.add_argument("--delay", type=float, default=0.0, help="seconds to sleep per batch")
        parser.add_argument("--batch-size", type=int, default=1)
        parser.add_argument("--fail-load", action="store_true")
        for name in SENTENCE_SCORES:
            parser.add_argument(f"--{name}", type=float, default=None, help=f"the {name} to give back (0-100)")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> ScriptedBackend:
        return cls(args.mispronounce, args.delay, args.batch_size, args.fail_load,
                   {name: getattr(args, name) for name in SENTENCE_SCORES})

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        if self.fail_load:
            raise RuntimeError("scripted load failure")
        self._loaded = True

    def describe(self) -> BackendInfo:
        return BackendInfo(name=self.name, model="scripted", version="test", details={"batch": self.max_batch_size})

    def assess_batch(self, requests: list[AssessmentRequest]) -> list[FeedbackDocument | Exception]:
        with self._lock:
            self.batches.append(len(requests))
        if self.delay_s:
            time.sleep(self.delay_s)
        results: list[FeedbackDocument | Exception] = []
        for request in requests:
            try:
                results.append(self._document(request))
            except AssessmentError as exc:
                results.append(exc)
        return results

    def _document(self, request: AssessmentRequest) -> FeedbackDocument:
        if "explode" in request.text.lower():
            raise AssessmentError("scripted failure for this item", code="scripted_failure", status=422)
        words = []
        for index, text in enumerate(split_words(request.text)):
            # Letters stand in for phones: this backend has no lexicon and hears nothing.
            phones = [c.upper() for c in text if c.isalpha()] or ["?"]
            bad = text.lower() in self.mispronounce
            words.append(WordFeedback(
                index=index, text=text, start=None, end=None, score=30.0 if bad else 95.0,
                status=WordStatus.mispronounced if bad else WordStatus.ok,
                expected_phones=phones, heard_phones=(["X", *phones[1:]] if bad else phones),
                errors=[PhoneError(type=ErrorType.substitution, expected=phones[0], heard="X", position=0)]
                if bad else [],
                explanation=f"The test backend was told to mark '{text}'." if bad else None,
                suggestion=f"Say '{text}' again slowly." if bad else None,
            ))
        score = sum(w.score for w in words) / len(words)
        bad_words = [w.text for w in words if w.status is WordStatus.mispronounced]
        return FeedbackDocument(
            request_id=request.request_id, text=request.text, backend=self.name, model="scripted",
            duration_s=request.duration_s, processing_s=0.0, score=score, words=words,
            summary=("Work on: " + ", ".join(bad_words) + ".") if bad_words else "Well done.",
            suggestions=[f"Practise '{w}'." for w in bad_words], fluency=self.sentence_scores.get("fluency"),
            prosody=self.sentence_scores.get("prosody"), completeness=self.sentence_scores.get("completeness"),
        )
