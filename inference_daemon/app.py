"""The HTTP API: thin routes that parse a request, hand it to the service and map errors to statuses.

Routes: ``POST /v1/assess``, ``GET /health``, ``GET /v1/info``; the OpenAPI schema is at
``/openapi.json`` and interactive docs at ``/docs``. Every error body has one shape:
``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from inference_daemon import __version__
from inference_daemon.audio import supported_formats
from inference_daemon.errors import AssessmentError, FileTooLarge
from inference_daemon.feedback import FEEDBACK_VERSION, FeedbackDocument
from inference_daemon.pipeline import prepare_request
from inference_daemon.service import AssessmentService
from inference_daemon.settings import DaemonSettings

log = logging.getLogger("inference_daemon.access")

# Room for the multipart framing, the text and the other form fields around the recording itself.
MULTIPART_ALLOWANCE_BYTES = 64 * 1024

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {"application/json": {"example": {
        "error": {"code": code, "message": "..."}}}}}
    for status, code, description in [
        (400, "empty_audio", "empty or corrupt recording"),
        (401, "unauthorized", "missing or wrong bearer token"),
        (413, "audio_too_long", "recording too long or file too large"),
        (415, "unsupported_format", "audio format not supported (or ffmpeg missing)"),
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

    @app.middleware("http")
    async def _refuse_oversized_uploads(request: Request,
                                        call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Refuse an upload by its declared size before it is received and spooled to disk."""
        declared = request.headers.get("content-length", "")
        limit = settings.audio.max_bytes + MULTIPART_ALLOWANCE_BYTES
        if request.url.path == "/v1/assess" and declared.isdigit() and int(declared) > limit:
            error = FileTooLarge(
                f"The upload is {int(declared) / 1e6:.1f} MB; the daemon accepts recordings of at most "
                f"{settings.audio.max_bytes / 1e6:.1f} MB."
            )
            return _error_response(error.status, error.code, error.message, {"Connection": "close"})
        return await call_next(request)

    @app.middleware("http")
    async def _access_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        began = time.perf_counter()
        response = await call_next(request)
        outcome = getattr(request.state, "outcome", "")
        log.info(
            "%s %s -> %d in %.1f ms%s",
            request.method, request.url.path, response.status_code, (time.perf_counter() - began) * 1000,
            f" ({outcome})" if outcome else "",
        )
        return response

    async def require_token(request: Request) -> None:
        if not settings.token:
            return
        header = request.headers.get("authorization", "")
        scheme, _, supplied = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(supplied.strip(), settings.token):
            raise AssessmentError(
                "A valid bearer token is required (Authorization: Bearer <token>).",
                code="unauthorized", status=401, headers={"WWW-Authenticate": "Bearer"},
            )

    @app.get("/health", response_model=HealthResponse)
    async def health() -> HealthResponse:
        """Liveness, and whether the backend's model is loaded (open to all: no token needed)."""
        return HealthResponse(
            status="ok" if service.load_error is None else "error",
            backend=service.backend.name,
            loaded=service.ready,
            load_error=service.load_error,
        )

    @app.get("/v1/info", response_model=InfoResponse, dependencies=[Depends(require_token)],
             responses={401: ERROR_RESPONSES[401]})
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

    @app.post("/v1/assess", response_model=FeedbackDocument, dependencies=[Depends(require_token)],
              responses=ERROR_RESPONSES)
    async def assess(
        http_request: Request,
        audio: Annotated[UploadFile, File(description="the learner's recording (WAV, FLAC, OGG; MP3/WebM/M4A "
                                                      "with ffmpeg)")],
        text: Annotated[str, Form(description="the target sentence, 1-300 characters")],
        native_language: Annotated[str | None, Form(description="ISO 639-1 code, tailors tips")] = None,
        request_id: Annotated[str | None, Form(description="echoed in the document")] = None,
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
