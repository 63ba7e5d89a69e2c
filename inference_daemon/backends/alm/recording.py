"""The one limit the audio-language models put on recordings: Whisper's 30 s window.

Whisper-based encoders (the speech LLM's, Qwen2-Audio's) hear exactly 30 s and would silently cut
a longer recording; such recordings are rejected instead, before any model work.
"""

from __future__ import annotations

from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.errors import AudioTooLong

WHISPER_WINDOW_S = 30.0


def check_recording_length(request: AssessmentRequest) -> None:
    """Raise :class:`AudioTooLong` (413) for a recording the model could not hear in full."""
    if request.duration_s > WHISPER_WINDOW_S:
        raise AudioTooLong(
            f"The recording is {request.duration_s:.1f} s long; this model hears at most {WHISPER_WINDOW_S:g} s. "
            "Record one sentence at a time."
        )
