"""The cascade's first stage: turn the learner's recording into the words a speech recogniser hears.

Three recognisers behind one small interface: a local checkpoint through the transformers
speech-recognition pipeline (Whisper, or a CTC model such as wav2vec2-960h), with word timestamps
where the model supports them; a Whisper model in CTranslate2 format (the bundled ``tiny.en``, or
a converted folder), offline and without torch; and any server speaking OpenAI's
``POST /v1/audio/transcriptions``. torch and transformers are imported only when a local
transformers checkpoint is loaded.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from inference_daemon.audio import encode_wav
from inference_daemon.backends.base import SAMPLE_RATE
from inference_daemon.backends.cascade.openai_http import UpstreamError, endpoint, post_multipart
from inference_daemon.backends.cascade.transcript import Transcript
from inference_daemon.errors import InvalidModelOutput
from inference_daemon.whisper_evidence import BUNDLED_NAME, WhisperModel, resolve_model_path

log = logging.getLogger(__name__)

TRANSCRIPTIONS_PATH = "/audio/transcriptions"


class SpeechRecognizer(Protocol):
    """What the backend needs of a recogniser."""

    @property
    def model(self) -> str:
        """The checkpoint or server model name, for ``/v1/info`` and the feedback document."""

    @property
    def device(self) -> str:
        """Where it runs: a torch device, or ``remote`` for a server."""

    def load(self) -> None: ...

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """Transcribe 16 kHz mono float32 audio."""


def torch_device(requested: str) -> str:
    """``auto`` becomes ``cuda`` where a GPU is visible, else ``cpu``."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


class LocalRecognizer:
    """A transformers checkpoint (``PATH_OR_ID``) run by the speech-recognition pipeline."""

    def __init__(self, model_path: str, device: str = "auto", max_new_tokens: int = 128) -> None:
        self.model_path = model_path
        self.requested_device = device
        self.max_new_tokens = max_new_tokens
        self._pipeline: Any = None
        self._word_timestamps = False
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self.model_path

    @property
    def device(self) -> str:
        return str(self._pipeline.device) if self._pipeline is not None else self.requested_device

    def load(self) -> None:
        import torch
        from transformers import pipeline

        device = torch_device(self.requested_device)
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        self._pipeline = pipeline("automatic-speech-recognition", model=self.model_path, device=device, dtype=dtype)
        kind = self._pipeline.type
        generation = getattr(self._pipeline.model, "generation_config", None)
        self._word_timestamps = kind in ("ctc", "ctc_with_lm") or (
            kind == "seq2seq_whisper" and bool(getattr(generation, "alignment_heads", None))
        )
        if not self._word_timestamps:
            log.warning("%s gives no word timestamps: word times stay empty", self.model_path)
        log.info("speech recogniser %s (%s) loaded on %s", self.model_path, kind, device)

    def transcribe(self, audio: np.ndarray) -> Transcript:
        if self._pipeline is None:
            raise RuntimeError("LocalRecognizer.transcribe called before load()")
        options: dict[str, Any] = {}
        if self._pipeline.type in ("seq2seq_whisper", "seq2seq"):
            options["generate_kwargs"] = self._generate_options()
        if self._word_timestamps:
            options["return_timestamps"] = "word"
        with self._lock:
            result = self._pipeline(
                {"raw": np.ascontiguousarray(audio, dtype=np.float32), "sampling_rate": SAMPLE_RATE}, **options
            )
        if not self._word_timestamps:
            return Transcript.from_text(result["text"])
        duration = len(audio) / SAMPLE_RATE
        return Transcript.from_timed_chunks(
            [(chunk["text"], *_clipped(chunk["timestamp"], duration)) for chunk in result.get("chunks", [])]
        )

    def _generate_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"max_new_tokens": self.max_new_tokens}
        generation = self._pipeline.model.generation_config
        if getattr(generation, "is_multilingual", False):  # English-only checkpoints refuse a language
            options.update(language="en", task="transcribe")
        return options


def _clipped(timestamp: tuple[float | None, float | None], duration: float) -> tuple[float | None, float | None]:
    """A chunk's times inside the recording (the alignment may overshoot the end or leave it open)."""
    start, end = timestamp
    start = None if start is None else min(max(float(start), 0.0), duration)
    end = None if end is None else min(max(float(end), start or 0.0), duration)
    return start, end


def is_ctranslate2_whisper(spec: str) -> bool:
    """Whether ``--asr-model`` names the bundled Whisper or a CTranslate2 model folder."""
    return spec == BUNDLED_NAME or (Path(spec).expanduser() / "model.bin").is_file()


class CTranslate2Recognizer:
    """Whisper in CTranslate2 format, greedy decoding on the CPU: the cascade without torch or a
    download. Gives text only (no word times)."""

    def __init__(self, spec: str, threads: int = 2) -> None:
        self.spec = spec
        self.threads = threads
        self._model: WhisperModel | None = None

    @property
    def model(self) -> str:
        return self.spec

    @property
    def device(self) -> str:
        return "cpu"

    def load(self) -> None:
        self._model = WhisperModel(resolve_model_path(self.spec), threads=self.threads)
        self._model.load()

    def transcribe(self, audio: np.ndarray) -> Transcript:
        if self._model is None:
            raise RuntimeError("CTranslate2Recognizer.transcribe called before load()")
        return Transcript.from_text(self._model.transcribe(audio))


class TranscriptionServer:
    """Any server speaking OpenAI's transcription API; asks for word timestamps and falls back to text."""

    def __init__(self, url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0) -> None:
        self.url = endpoint(url, TRANSCRIPTIONS_PATH)
        self.model_name = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self._verbose = True

    @property
    def model(self) -> str:
        return self.model_name

    @property
    def device(self) -> str:
        return "remote"

    def load(self) -> None:
        log.info("speech recogniser: %s at %s", self.model_name, self.url)

    def transcribe(self, audio: np.ndarray) -> Transcript:
        wav = encode_wav(audio)
        if self._verbose:
            try:
                return self._parse(self._post(wav, verbose=True))
            except UpstreamError:
                # Servers without verbose_json or word granularity refuse the request: ask for text only.
                log.warning("%s refused word timestamps; asking for plain transcripts from now on", self.url)
                self._verbose = False
        return self._parse(self._post(wav, verbose=False))

    def _post(self, wav: bytes, *, verbose: bool) -> dict[str, Any]:
        fields = [("model", self.model_name), ("language", "en"), ("temperature", "0")]
        if verbose:
            fields += [("response_format", "verbose_json"), ("timestamp_granularities[]", "word")]
        else:
            fields.append(("response_format", "json"))
        return post_multipart(self.url, fields, "file", "recording.wav", wav, "audio/wav",
                              api_key=self.api_key, timeout_s=self.timeout_s)

    def _parse(self, answer: dict[str, Any]) -> Transcript:
        text = answer.get("text")
        if not isinstance(text, str):
            raise InvalidModelOutput(f"The transcription server at {self.url} answered without a text.")
        words = answer.get("words")
        if not isinstance(words, list) or not words:
            return Transcript.from_text(text)
        try:
            chunks = [(str(item["word"]), float(item["start"]), float(item["end"])) for item in words]
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidModelOutput(f"The transcription server at {self.url} answered malformed words.") from exc
        return Transcript.from_timed_chunks(chunks)
