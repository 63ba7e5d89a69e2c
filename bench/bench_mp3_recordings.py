"""Does the add-on's MP3 compression change the assessment? Word verdicts on speechocean762 WAV
against the same recordings encoded by the add-on's own encoder module, as it stores and sends them.

Not cross-validated: the shipped calibration scores both versions, so the figures compare the two
formats, not the scorer against the experts.

    python bench/bench_mp3_recordings.py --corpus ../shared/data/speechocean762-dev --utterances 200
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference_daemon.backends.phonetic.backend import PhoneticBackend
from inference_daemon.datasets.speechocean import read_split
from inference_daemon.feedback import WordStatus
from inference_daemon.pipeline import assess_now, prepare_request

ADDON_COMPRESSION = Path(__file__).resolve().parents[1] / "addon" / "audio_compression.py"


def addon_compression() -> ModuleType:
    """The add-on's own encoder module (Qt-free: it runs outside Anki), so the bench encodes exactly as
    the add-on stores and sends recordings."""
    spec = importlib.util.spec_from_file_location("addon_audio_compression", ADDON_COMPRESSION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_mp3(wav: bytes, compression: ModuleType) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "a.wav"
        source.write_bytes(wav)
        audio, extension = compression.compressed_bytes(source)
        if extension != "mp3":
            raise RuntimeError("no MP3 encoder (lame or ffmpeg) on this machine")
        return bytes(audio)


def detection(flagged: np.ndarray, wrong: np.ndarray) -> dict[str, float]:
    hits = float((flagged & wrong).sum())
    precision, recall = hits / max(flagged.sum(), 1), hits / max(wrong.sum(), 1)
    return {"precision": round(precision, 3), "recall": round(recall, 3),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="speechocean762-layout folder")
    parser.add_argument("--utterances", type=int, default=200, help="spread evenly over the folder")
    args = parser.parse_args(argv)
    compression = addon_compression()
    if compression.encoder_name() is None:
        print("no MP3 encoder: install lame or ffmpeg (tools/bootstrap.sh installs both)", file=sys.stderr)
        return 2
    backend = PhoneticBackend()
    backend.load()
    utterances = read_split(args.corpus)
    chosen = utterances[:: max(1, len(utterances) // args.utterances)][: args.utterances]
    rows = []  # expert accuracy, WAV score, MP3 score, WAV flagged, MP3 flagged
    for utterance in tqdm(chosen, desc="WAV and MP3"):
        wav = utterance.audio_path.read_bytes()
        versions = (wav, as_mp3(wav, compression))
        documents = [assess_now(backend, prepare_request(data, utterance.text)) for data in versions]
        if any(len(document.words) != len(utterance.words) for document in documents):
            continue
        for expert, on_wav, on_mp3 in zip(utterance.words, documents[0].words, documents[1].words, strict=True):
            rows.append((expert.accuracy, on_wav.score, on_mp3.score,
                         on_wav.status is not WordStatus.ok, on_mp3.status is not WordStatus.ok))
    accuracy, wav_score, mp3_score, wav_flag, mp3_flag = np.asarray(rows, dtype=float).T
    wrong = accuracy <= 6
    print(json.dumps({
        "words": len(rows), "mispronounced": int(wrong.sum()),
        "verdict_agreement": round(float(np.mean(wav_flag == mp3_flag)), 3),
        "score_mean_abs_difference": round(float(np.mean(np.abs(wav_score - mp3_score))), 2),
        "word_r": {"wav": round(float(np.corrcoef(accuracy, wav_score)[0, 1]), 3),
                   "mp3": round(float(np.corrcoef(accuracy, mp3_score)[0, 1]), 3)},
        "detection": {"wav": detection(wav_flag.astype(bool), wrong), "mp3": detection(mp3_flag.astype(bool), wrong)},
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
