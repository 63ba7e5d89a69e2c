"""Measure the ``phonetic`` backend's real-time factor on the speechocean762 development subset.

One worker on one CPU core (the process is pinned where the OS allows), decoders loaded once before
timing, each request through the daemon's code path. Prints wall-clock and CPU real-time factors.

    python bench/bench_phonetic_rtf.py ../shared/data/speechocean762-dev --limit 200
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from inference_daemon.backends import backend_class
from inference_daemon.datasets.speechocean import read_split
from inference_daemon.pipeline import assess_now, prepare_request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder in speechocean762's layout")
    parser.add_argument("--split", default="train")
    parser.add_argument("--limit", type=int, help="only the first N utterances")
    parser.add_argument("--backend", default="phonetic")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    utterances = sorted(read_split(args.corpus, args.split), key=lambda u: u.utterance_id)[: args.limit]
    requests = [
        prepare_request(u.audio_path.read_bytes(), u.text, request_id=u.utterance_id) for u in utterances
    ]
    backend = backend_class(args.backend)()
    load_started = time.perf_counter()
    backend.load()
    load_s = time.perf_counter() - load_started

    audio_s = sum(r.duration_s for r in requests)
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    for request in tqdm(requests, desc="assessing"):
        assess_now(backend, request)
    wall_s, cpu_s = time.perf_counter() - wall_started, time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "backend": backend.name,
                "utterances": len(requests),
                "audio_s": round(audio_s, 1),
                "load_s": round(load_s, 2),
                "wall_s": round(wall_s, 2),
                "cpu_s": round(cpu_s, 2),
                "rtf_wall": round(wall_s / audio_s, 4),
                "rtf_cpu": round(cpu_s / audio_s, 4),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
