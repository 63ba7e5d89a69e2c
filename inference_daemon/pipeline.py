"""The steps every assessment takes, with or without the HTTP server: check, decode, assess, stamp.

The daemon's routes, the ``assess`` command and the evaluation tools all go through here, so that a
number measured offline is the number a learner gets.
"""

from __future__ import annotations

import re
import time
import uuid

from inference_daemon.audio import AudioLimits, decode_audio
from inference_daemon.backends.base import AssessmentRequest, Backend
from inference_daemon.errors import AssessmentError
from inference_daemon.feedback import FeedbackDocument
from inference_daemon.sentence import MAX_TEXT_CHARS, check_latin_script, validate_target_text

_LANGUAGE_CODE = re.compile(r"^[a-zA-Z]{2}$")
MAX_REQUEST_ID_CHARS = 128
# What a request id may hold: it is echoed in the document and written to the access log, where a
# newline or a control character would forge a line.
REQUEST_ID_PATTERN = rf"^[A-Za-z0-9._:-]{{1,{MAX_REQUEST_ID_CHARS}}}$"
_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)


def check_native_language(code: str | None) -> str | None:
    """Normalise an ISO 639-1 code ("zh", "ES") or reject it."""
    if code is None or not code.strip():
        return None
    code = code.strip()
    if not _LANGUAGE_CODE.match(code):
        raise AssessmentError(
            f"native_language must be a two-letter ISO 639-1 code such as 'zh' or 'es', not {code!r}.",
            code="invalid_native_language",
            status=422,
        )
    return code.lower()


def check_request_id(request_id: str | None) -> str:
    """The client's request id, checked; a fresh one when it sent none."""
    if request_id is None or request_id == "":
        return uuid.uuid4().hex
    if not _REQUEST_ID.fullmatch(request_id):
        raise AssessmentError(
            f"request_id must be 1-{MAX_REQUEST_ID_CHARS} characters of letters, digits and . _ : - "
            "(no spaces or line breaks).",
            code="invalid_request_id", status=422,
        )
    return request_id


def prepare_request(
    audio_bytes: bytes,
    text: str,
    *,
    native_language: str | None = None,
    request_id: str | None = None,
    limits: AudioLimits | None = None,
    max_text_chars: int = MAX_TEXT_CHARS,
) -> AssessmentRequest:
    """Validate everything about a request before a backend sees it (cheap checks first)."""
    clean_text = validate_target_text(text, max_text_chars)
    check_latin_script(clean_text)
    language = check_native_language(native_language)
    rid = check_request_id(request_id)
    audio = decode_audio(audio_bytes, limits)
    return AssessmentRequest(audio=audio, text=clean_text, request_id=rid, native_language=language)


def stamp(document: FeedbackDocument, request: AssessmentRequest, started: float) -> FeedbackDocument:
    """Fill in what the pipeline, not the backend, knows: the request id, duration and processing time."""
    return document.model_copy(
        update={
            "request_id": request.request_id,
            "duration_s": round(request.duration_s, 3),
            "processing_s": round(time.perf_counter() - started, 4),
        }
    )


def assess_now(backend: Backend, request: AssessmentRequest) -> FeedbackDocument:
    """Assess one request in the calling thread (CLI and tools). ``processing_s`` counts the
    assessment only, not loading the backend on first use (the CLI's one-off cost)."""
    if not backend.loaded:
        backend.load()
    started = time.perf_counter()
    return stamp(backend.assess(request), request, started)
