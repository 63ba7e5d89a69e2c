"""Does the add-on's MP3 compression change the assessment? Word verdicts on speechocean762 WAV
against the same recordings encoded as the add-on stores and sends them (LAME ``-V 6``).

Not cross-validated: the shipped calibration scores both versions, so the figures compare the two
formats, not the scorer against the experts.

    python bench/bench_mp3_recordings.py --corpus ../shared/data/speechocean762-dev --utterances 200
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference_daemon.backends.phonetic.backend import PhoneticBackend
from inference_daemon.datasets.speechocean import read_split
from inference_daemon.feedback import WordStatus
from inference_daemon.pipeline import assess_now, prepare_request

# The add-on's encoder settings (addon/audio_compression.py LAME_ARGUMENTS).
LAME_ARGUMENTS = ("--quiet", "--noreplaygain", "-V", "6")


def as_mp3(wav: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "a.wav", Path(folder) / "a.mp3"
        source.write_bytes(wav)
        subprocess.run(["lame", *LAME_ARGUMENTS, str(source), str(target)], check=True)
        return target.read_bytes()


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
    if shutil.which("lame") is None:
        print("lame is not installed (tools/bootstrap.sh --dev installs it)", file=sys.stderr)
        return 2
    backend = PhoneticBackend()
    backend.load()
    utterances = read_split(args.corpus)
    chosen = utterances[:: max(1, len(utterances) // args.utterances)][: args.utterances]
    rows = []  # expert accuracy, WAV score, MP3 score, WAV flagged, MP3 flagged
    for utterance in tqdm(chosen, desc="WAV and MP3"):
        wav = utterance.audio_path.read_bytes()
        documents = [assess_now(backend, prepare_request(data, utterance.text)) for data in (wav, as_mp3(wav))]
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
