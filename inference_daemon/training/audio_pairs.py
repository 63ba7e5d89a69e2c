"""Recordings for tuning: reading them at 16 kHz, and the speech-transcript pairs of stage 1.

Stage 1 reads any list of recordings with their transcripts: a Kaldi-style data folder
(``wav.scp`` and ``text``, as LibriSpeech, speechocean762 and most ASR recipes have) or a TSV file
(``path<TAB>transcript`` per line). Relative audio paths start from ``audio_root`` (default: the
folder above a Kaldi folder, the TSV file's folder). Recordings go through the daemon's own
decoding, so a tuned model hears exactly what it will hear when serving.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference_daemon.audio import AudioLimits, decode_audio
from inference_daemon.backends.alm.recording import WHISPER_WINDOW_S


@dataclass(frozen=True)
class SpeechTranscriptPair:
    audio_path: str
    transcript: str


def load_recording(path: str | Path) -> np.ndarray:
    """16 kHz mono float32, decoded as the daemon decodes uploads (at most Whisper's 30 s window)."""
    return decode_audio(Path(path).read_bytes(), AudioLimits(max_seconds=WHISPER_WINDOW_S, max_bytes=200_000_000))


def _table(path: Path) -> dict[str, str]:
    rows = (line.split(None, 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row[0]: row[1].strip() if len(row) > 1 else "" for row in rows}


def _resolve(path: str, root: Path) -> str:
    return path if Path(path).is_absolute() else str(root / path)


def read_kaldi_pairs(folder: Path, audio_root: Path | None = None) -> list[SpeechTranscriptPair]:
    """Pairs from ``wav.scp`` and ``text`` (utterances in ``text`` order; piped commands are refused)."""
    wavs = _table(folder / "wav.scp")
    root = audio_root or folder.parent
    pairs = []
    for utterance_id, transcript in _table(folder / "text").items():
        if utterance_id not in wavs:
            continue
        location = wavs[utterance_id]
        if location.endswith("|"):
            raise ValueError(f"{folder / 'wav.scp'}: {utterance_id} is a command ({location!r}); write the audio "
                             "to files first")
        pairs.append(SpeechTranscriptPair(_resolve(location, root), transcript))
    return pairs


def read_tsv_pairs(path: Path, audio_root: Path | None = None) -> list[SpeechTranscriptPair]:
    """Pairs from ``path<TAB>transcript`` lines."""
    root = audio_root or path.parent
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        audio, separator, transcript = line.partition("\t")
        if not separator:
            raise ValueError(f"{path}:{number}: expected 'path<TAB>transcript'")
        pairs.append(SpeechTranscriptPair(_resolve(audio.strip(), root), transcript.strip()))
    return pairs


def read_pairs(source: Path, audio_root: Path | None = None) -> list[SpeechTranscriptPair]:
    """A Kaldi-style folder or a TSV file."""
    return read_kaldi_pairs(source, audio_root) if source.is_dir() else read_tsv_pairs(source, audio_root)
