"""Measure what dynamic batching buys the ``alm`` backend: throughput at 1, 4 and 8 concurrent requests.

Runs the daemon's real service (:class:`inference_daemon.service.AssessmentService`) in front of a
tiny random speech LLM on CPU, with batching off (batch size 1) and on (batch size 8, the window of
``--batch-window-ms``). Both modes see the same model, the same requests and the same answer length:
the tokens generated per request are counted from the backend's ``generated_tokens`` and printed.
The bench's random model writes ``--new-tokens`` in the text format; JSON answers are constrained
to the schema when xgrammar is installed, and end when the document does.
The two modes are measured alternately, ``--repeats`` times, and the median is reported, because
the machine may be shared. torch runs ``--threads`` intra-op threads in both modes (default 1: on
a small shared machine more threads fight the service's worker thread and other processes and make
both modes noisy). Goal of issue 5: >= 3x at 8 concurrent requests.

    .venv/bin/python bench/bench_alm_batching.py [--requests 16] [--new-tokens 32] [--repeats 3] \
        [--threads 1] [--answer-format text|json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference_daemon.backends.alm.backend import AlmBackend, AlmOptions
from inference_daemon.backends.alm.prompt import AnswerFormat
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.errors import InvalidModelOutput
from inference_daemon.service import AssessmentService

SENTENCE = "The quick brown fox jumps over the lazy dog."
CONCURRENCY = (1, 4, 8)
MODES = {"no batching": 1, "batching": 8}


def utterance(seconds: float = 5.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (0.1 * rng.standard_normal(int(16_000 * seconds))).astype(np.float32)


async def run_clients(service: AssessmentService, concurrency: int, total: int) -> float:
    """Requests per second when ``concurrency`` clients send ``total`` requests back to back."""
    audio = utterance()

    async def client(number: int) -> None:
        for index in range(number, total, concurrency):
            request = AssessmentRequest(audio=audio, text=SENTENCE, request_id=f"{number}-{index}")
            with contextlib.suppress(InvalidModelOutput):  # a random model's answers: only the time counts
                await service.assess(request)

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return total / (time.perf_counter() - began)


def measure(backend: AlmBackend, batch_size: int, concurrency: int, requests: int,
            window_ms: float) -> tuple[float, float]:
    """Requests per second and new tokens per request of one configuration, after a warm-up."""
    backend.max_batch_size = batch_size  # type: ignore[misc]
    service = AssessmentService(backend, queue_size=64, request_timeout_s=600, batch_window_ms=window_ms)
    service.start()
    try:
        asyncio.run(run_clients(service, concurrency, concurrency))
        tokens_before = backend.generated_tokens
        throughput = asyncio.run(run_clients(service, concurrency, requests))
        return throughput, (backend.generated_tokens - tokens_before) / requests
    finally:
        service.stop()


def spread(values: list[float]) -> str:
    """The median and, in brackets, the range of repeated measurements."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=16, help="requests per measurement (default: 16)")
    parser.add_argument("--new-tokens", type=int, default=32, help="generated tokens per answer (default: 32)")
    parser.add_argument("--batch-window-ms", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3, help="measurements per configuration (default: 3)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads in both modes (default: 1)")
    parser.add_argument("--answer-format", choices=[f.value for f in AnswerFormat], default=AnswerFormat.text.value,
                        help="text (default: the random model writes all --new-tokens) or json (constrained "
                             "by xgrammar where installed: a random valid answer, usually shorter)")
    args = parser.parse_args()

    import torch

    from inference_daemon.backends.alm.tiny import build_tiny_model

    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    samples: dict[tuple[str, int], list[float]] = {}
    tokens: dict[str, list[float]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as folder:
        model_dir = build_tiny_model(Path(folder) / "tiny", "speech-llm")
        backend = AlmBackend(AlmOptions(model=str(model_dir), device="cpu",
                                        answer_format=AnswerFormat(args.answer_format),
                                        max_new_tokens=args.new_tokens, batch_size=max(MODES.values())))
        backend.load()
        runs = [(concurrency, mode) for _ in range(args.repeats) for concurrency in CONCURRENCY for mode in MODES]
        for concurrency, mode in tqdm(runs, desc="measurements", unit="run"):
            throughput, per_request = measure(backend, MODES[mode], concurrency, args.requests, args.batch_window_ms)
            samples.setdefault((mode, concurrency), []).append(throughput)
            tokens[mode].append(per_request)
    load_after = os.getloadavg()
    print(f"alm tiny speech LLM on CPU ({os.cpu_count()} cores, torch threads {args.threads}), 5 s utterance, "
          f"{args.answer_format} answers, {args.requests} requests per measurement, median of {args.repeats}")
    print("new tokens per request: " + ", ".join(f"{mode} {min(t):g}-{max(t):g}" for mode, t in tokens.items()))
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"{'concurrent':>10}  {'no batching req/s (range)':>26}  {'batching req/s (range)':>23}  {'ratio':>6}")
    for concurrency in CONCURRENCY:
        plain, batched = samples["no batching", concurrency], samples["batching", concurrency]
        ratio = statistics.median(batched) / statistics.median(plain)
        print(f"{concurrency:>10}  {spread(plain):>26}  {spread(batched):>23}  {ratio:>5.2f}x")
    print("goal: ratio >= 3x at 8 concurrent requests")


if __name__ == "__main__":
    main()
