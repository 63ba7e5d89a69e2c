"""Errors a learner or a client can act on, each with its HTTP status and a stable code.

Raised anywhere in the pipeline (audio decoding, text checks, backends, the queue); the HTTP layer
turns them into ``{"error": {"code": ..., "message": ...}}`` and the CLI prints the message.
"""

from __future__ import annotations


class AssessmentError(Exception):
    """A request that cannot be assessed, with the reason in words a user understands."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = headers or {}


class EmptyAudio(AssessmentError):
    status, code = 400, "empty_audio"


class CorruptAudio(AssessmentError):
    status, code = 400, "corrupt_audio"


class UnsupportedAudioFormat(AssessmentError):
    status, code = 415, "unsupported_format"


class AudioTooLong(AssessmentError):
    status, code = 413, "audio_too_long"


class FileTooLarge(AssessmentError):
    status, code = 413, "file_too_large"


class NoSpeech(AssessmentError):
    status, code = 422, "no_speech"


class InvalidText(AssessmentError):
    status, code = 422, "invalid_text"


class QueueFull(AssessmentError):
    status, code = 503, "queue_full"


class AssessmentTimeout(AssessmentError):
    status, code = 504, "timeout"


class BackendUnavailable(AssessmentError):
    status, code = 503, "backend_unavailable"


class InvalidModelOutput(AssessmentError):
    """The model answered, but not with a valid feedback document; the raw text is logged."""

    status, code = 502, "invalid_model_output"
