"""Run a backend over annotated utterances through the daemon's own code path and score every answer.

Each recording goes through :func:`inference_daemon.pipeline.prepare_request` and
:func:`~inference_daemon.pipeline.assess_now`, exactly as the ``assess`` command and the server
handle it, so the benchmark measures what learners get. A request the daemon would answer with
an error counts as a system that named nothing and wrote nothing.

Every answer is also kept in the paper's text format (:mod:`inference_daemon.evaluation.answers`):
the model's raw answer from a backend that records them (``raw_answers``, the ``alm`` and
``openai`` backends in the text format), else the document written in that format.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from inference_daemon.backends.base import Backend
from inference_daemon.datasets.records import AnnotatedUtterance
from inference_daemon.errors import AssessmentError
from inference_daemon.evaluation.answers import document_as_text_answer
from inference_daemon.evaluation.scoring import Benchmark, score_document
from inference_daemon.pipeline import assess_now, prepare_request

log = logging.getLogger(__name__)


@dataclass
class EvaluationRun:
    benchmark: Benchmark = field(default_factory=Benchmark)
    audio_s: float = 0.0
    processing_s: float = 0.0
    raw_answers: list[str] = field(default_factory=list)
    """Per utterance, in order: the answer in the paper's text format ("" when there was none)."""


def _words_dropped(backend: Backend) -> int:
    """The backend's running count of named words that are not in the sentence (0 if it keeps none)."""
    return int(backend.describe().details.get("words_dropped", 0) or 0)


def _take_raw_answer(backend: Backend, request_id: str) -> str | None:
    """The raw answer the backend recorded for this request, if it records them."""
    recorded: dict[str, str] | None = getattr(backend, "raw_answers", None)
    return recorded.pop(request_id, None) if recorded is not None else None


def evaluate_backend(backend: Backend, utterances: Iterable[tuple[AnnotatedUtterance, str | None]],
                     progress: bool = True) -> EvaluationRun:
    """Assess every (utterance, native language) and score the document against the annotation."""
    run = EvaluationRun()
    if not backend.loaded:
        backend.load()
    if hasattr(backend, "raw_answers"):
        backend.raw_answers = {}
    for utterance, native_language in tqdm(list(utterances), desc=f"evaluating {backend.name}", unit="utt",
                                           disable=not progress):
        dropped_before = _words_dropped(backend)
        started = time.perf_counter()
        try:
            request = prepare_request(Path(utterance.audio_path).read_bytes(), utterance.text,
                                      native_language=native_language, request_id=utterance.utterance_id)
            document = assess_now(backend, request)
        except AssessmentError as exc:
            log.warning("%s: %s (%s)", utterance.utterance_id, exc.message, exc.code)
            run.benchmark.add_failure(utterance)
            run.raw_answers.append(_take_raw_answer(backend, utterance.utterance_id) or "")
            continue
        run.processing_s += time.perf_counter() - started
        run.audio_s += document.duration_s
        run.benchmark.add(score_document(utterance, document, _words_dropped(backend) - dropped_before))
        raw = _take_raw_answer(backend, utterance.utterance_id)
        run.raw_answers.append(raw if raw is not None else document_as_text_answer(document))
    return run
