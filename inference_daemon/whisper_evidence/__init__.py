"""Neural word evidence from Whisper (CTranslate2): how well each word of the target sentence, and
each frequent learner error of it, fits the recording. Shared by the ``phonetic`` backend (evidence
for its fitted scorer) and the ``cascade`` backend (an offline speech recogniser).

Optional at run time: without ``ctranslate2`` or the bundled model, :class:`WhisperUnavailable`
says what to install and the backends carry on without it.
"""

from inference_daemon.whisper_evidence.evidence import RivalScore, WordEvidence, gather_evidence, whisper_words
from inference_daemon.whisper_evidence.model import (
    BUNDLED_NAME,
    EncodedRecording,
    WhisperModel,
    WhisperUnavailable,
    bundled_model_path,
    resolve_model_path,
)

__all__ = [
    "BUNDLED_NAME",
    "EncodedRecording",
    "RivalScore",
    "WhisperModel",
    "WhisperUnavailable",
    "WordEvidence",
    "bundled_model_path",
    "gather_evidence",
    "resolve_model_path",
    "whisper_words",
]
