"""Measure the daemon's own overhead per request: HTTP, multipart parsing, audio decoding, validation.

The backend is the test suite's scripted backend, which answers at once, so the round-trip time
is the overhead a real backend adds its own time to. Target: median <= 20 ms for a 5 s WAV.

    .venv/bin/python bench/bench_daemon_overhead.py [--requests 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.audio_files import espeak_wav, signal_bytes
from tests.support.daemon_process import running_daemon

SENTENCE = "The quick brown fox jumps over the lazy dog while the sun is shining brightly."


def five_second_wav() -> bytes:
    """A real 5 s utterance when espeak-ng is there (padded/trimmed to 5 s), else a 5 s buzz."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = espeak_wav(SENTENCE, Path(folder) / "speech.wav")
            import numpy as np
            import soundfile

            samples, rate = soundfile.read(path, dtype="float32")
            samples = np.resize(samples, 5 * rate)
            out = Path(folder) / "five.wav"
            soundfile.write(out, samples, rate, subtype="PCM_16")
            return out.read_bytes()
    except RuntimeError:
        return signal_bytes(5.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="measured requests (default: 300)")
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    audio = five_second_wav()
    with running_daemon() as url, requests.Session() as session:
        def one() -> float:
            began = time.perf_counter()
            response = session.post(f"{url}/v1/assess", files={"audio": ("a.wav", audio, "audio/wav")},
                                    data={"text": SENTENCE}, timeout=30)
            elapsed = time.perf_counter() - began
            response.raise_for_status()
            return elapsed * 1000

        for _ in range(args.warmup):
            one()
        timings = sorted(one() for _ in tqdm(range(args.requests), desc="requests", unit="req"))
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"daemon overhead over {len(timings)} requests, 5 s WAV ({len(audio) / 1e3:.0f} kB):")
    print(f"  median {statistics.median(timings):.1f} ms   p95 {p95:.1f} ms   max {timings[-1]:.1f} ms")
    print("  target: median <= 20 ms")


if __name__ == "__main__":
    main()
