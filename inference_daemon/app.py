"""The HTTP API: thin routes that parse a request, hand it to the service and map errors to statuses.

Routes: ``POST /v1/assess``, ``GET /health``, ``GET /v1/info``; the OpenAPI schema is at
``/openapi.json`` and interactive docs at ``/docs``. Every error body has one shape:
``{"error": {"code": ..., "message": ...}}``. What every request must pass before its body is read
(Host, Origin, token, size, admission) is checked by :mod:`inference_daemon.request_guard`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inference_daemon import __version__
from inference_daemon.audio import supported_formats
from inference_daemon.errors import AssessmentError, FileTooLarge, InvalidText
from inference_daemon.feedback import FEEDBACK_VERSION, FeedbackDocument
from inference_daemon.pipeline import REQUEST_ID_PATTERN, prepare_request
from inference_daemon.request_guard import GuardPolicy, RequestGuard, loggable
from inference_daemon.service import AssessmentService
from inference_daemon.settings import DaemonSettings

log = logging.getLogger("inference_daemon.access")

ASSESS_PATH = "/v1/assess"
ASSESS_FIELDS = ("audio", "text", "native_language", "request_id")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {"application/json": {"example": {
        "error": {"code": code, "message": "..."}}}}}
    for status, code, description in [
        (400, "empty_audio", "empty or corrupt recording"),
        (401, "unauthorized", "missing or wrong bearer token"),
        (403, "origin_not_allowed", "sent by a web page of another site"),
        (408, "body_timeout", "the upload did not arrive in time"),
        (413, "audio_too_long", "recording too long or file too large"),
        (415, "unsupported_format", "audio format not supported (or ffmpeg missing)"),
        (421, "host_not_allowed", "addressed to a host name the daemon does not answer to"),
        (422, "invalid_text", "bad text, no speech, or malformed form fields"),
        (502, "invalid_model_output", "the model produced no valid feedback"),
        (503, "queue_full", "busy (see Retry-After) or backend not loaded"),
        (504, "timeout", "assessment took longer than the request timeout"),
    ]
}


class HealthResponse(BaseModel):
    status: str
    backend: str
    loaded: bool
    load_error: str | None = None


class InfoResponse(BaseModel):
    backend: str
    model: str
    backend_version: str
    daemon_version: str
    feedback_version: int
    device: str
    details: dict[str, Any]
    limits: dict[str, float | int]
    audio_formats: list[str]
    queue: dict[str, int]


def _error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


class AccessLog:
    """ASGI middleware writing one line per request: method, path, the status sent, time, outcome.

    Outermost, so that it logs the status the client got (a guard refusal included). Client-supplied
    text is escaped (:func:`loggable`), so that no request can forge a log line.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            state = scope.get("state")
            outcome = state.get("outcome", "") if isinstance(state, dict) else ""
            log.info(
                "%s %s -> %d in %.1f ms%s",
                scope["method"], loggable(scope["path"]), status, (time.perf_counter() - began) * 1000,
                f" ({loggable(outcome, 400)})" if outcome else "",
            )


async def _check_form_fields(request: Request) -> None:
    """Refuse what FastAPI's form parsing would let through silently: repeated fields, an empty text.

    FastAPI keeps the last of repeated fields and reports an empty required field as missing.
    """
    form = await request.form()  # already parsed (and cached) by FastAPI before dependencies run
    for name in ASSESS_FIELDS:
        count = len(form.getlist(name))
        if count > 1:
            raise AssessmentError(f"The form field '{name}' was sent {count} times; send it once.",
                                  code="duplicate_field", status=422)
    text = form.get("text")
    if isinstance(text, str) and not text.strip():
        raise InvalidText("The target sentence is empty.", code="empty_text")


def create_app(service: AssessmentService, settings: DaemonSettings) -> FastAPI:
    """Build the FastAPI app around a service; the caller owns the service's backend."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.start()
        yield
        await asyncio.to_thread(service.stop)

    app = FastAPI(
        title="Pronunciation Coach inference daemon",
        version=__version__,
        description="Assesses a learner's recording of a target sentence and returns pronunciation feedback.",
        lifespan=lifespan,
    )
    policy = GuardPolicy.from_settings(settings)
    # Added last is outermost: the access log sees what the guard sent.
    app.add_middleware(RequestGuard, policy=policy, admit=service.admit, admitted_paths=[ASSESS_PATH])
    app.add_middleware(AccessLog)

    @app.exception_handler(AssessmentError)
    async def _assessment_error(_: Request, exc: AssessmentError) -> JSONResponse:
        return _error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()) if p != 'body')}: {err.get('msg')}"
            for err in exc.errors()
        )
        return _error_response(422, "invalid_request", f"The request is malformed: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error_response(500, "internal_error", "The daemon hit an unexpected error; see its log.")

    @app.get("/health", response_model=HealthResponse)
    async def health() -> HealthResponse:
        """Liveness, and whether the backend's model is loaded (open to all: no token needed)."""
        return HealthResponse(
            status="ok" if service.load_error is None else "error",
            backend=service.backend.name,
            loaded=service.ready,
            load_error=service.load_error,
        )

    @app.get("/v1/info", response_model=InfoResponse,
             responses={status: ERROR_RESPONSES[status] for status in (401, 403, 421)})
    async def info() -> InfoResponse:
        """Which backend and model answer, their limits and the audio formats accepted."""
        described = service.backend.describe()
        return InfoResponse(
            backend=described.name,
            model=described.model,
            backend_version=described.version,
            daemon_version=__version__,
            feedback_version=FEEDBACK_VERSION,
            device=described.device,
            details=described.details,
            limits={
                "max_audio_seconds": settings.audio.max_seconds,
                "max_audio_bytes": settings.audio.max_bytes,
                "max_text_chars": settings.max_text_chars,
                "request_timeout_s": settings.request_timeout_s,
            },
            audio_formats=supported_formats(),
            queue={"size": service.queue_size, "waiting": service.queued},
        )

    # Text fields may be as large as the whole upload: a long text is then answered text_too_long (422)
    # by the text check instead of a bare 400 from the form parser; the guard bounds the body.
    @app.post(ASSESS_PATH, response_model=FeedbackDocument, dependencies=[Depends(_check_form_fields)],
              responses=ERROR_RESPONSES, form_limits={"max_part_size": policy.max_body_bytes})
    async def assess(
        http_request: Request,
        audio: Annotated[UploadFile, File(description="the learner's recording (WAV, FLAC, OGG; MP3/WebM/M4A "
                                                      "with ffmpeg)")],
        text: Annotated[str, Form(description="the target sentence, 1-300 characters")],
        native_language: Annotated[str | None, Form(description="ISO 639-1 code, tailors tips")] = None,
        request_id: Annotated[str | None, Form(
            description="echoed in the document: 1-128 letters, digits and ._:- (generated when absent)",
            json_schema_extra={"pattern": REQUEST_ID_PATTERN})] = None,
    ) -> FeedbackDocument:
        """Assess a recording of the target sentence and return the version-1 feedback document."""
        started = time.perf_counter()
        data = await audio.read(settings.audio.max_bytes + 1)
        if len(data) > settings.audio.max_bytes:
            raise FileTooLarge(
                f"The recording is larger than the {settings.audio.max_bytes / 1e6:.1f} MB the daemon accepts."
            )
        request = await asyncio.to_thread(
            prepare_request, data, text, native_language=native_language, request_id=request_id,
            limits=settings.audio, max_text_chars=settings.max_text_chars,
        )
        document = await service.assess(request, started)
        http_request.state.outcome = (
            f"request_id={document.request_id} backend={document.backend} audio={document.duration_s:.1f}s "
            f"words={len(document.words)} flagged={len(document.mispronounced_words)} score={document.score:.0f}"
        )
        return document

    return app
