"""Measure what dynamic batching buys the ``alm`` backend: throughput at 1, 4 and 8 concurrent requests.

Runs the daemon's real service (:class:`inference_daemon.service.AssessmentService`) in front of a
tiny random speech LLM on CPU, once with batching off (batch size 1) and once on (batch size 8,
20 ms window). Every answer has the same length (the random model never stops early), so the
ratio is the batching gain of the generation path. Goal: >= 3x at 8 concurrent requests.

    .venv/bin/python bench/bench_alm_batching.py [--requests 16] [--new-tokens 32]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=16, help="requests per measurement (default: 16)")
    parser.add_argument("--new-tokens", type=int, default=32, help="generated tokens per answer (default: 32)")
    parser.add_argument("--batch-window-ms", type=float, default=20.0)
    args = parser.parse_args()

    from inference_daemon.backends.alm.tiny import build_tiny_model

    with tempfile.TemporaryDirectory() as folder:
        model_dir = build_tiny_model(Path(folder) / "tiny", "speech-llm")
        backend = AlmBackend(AlmOptions(model=str(model_dir), device="cpu", answer_format=AnswerFormat.text,
                                        max_new_tokens=args.new_tokens, batch_size=8))
        backend.load()
        throughput: dict[tuple[int, int], float] = {}
        runs = [(batch, concurrency) for batch in (1, 8) for concurrency in CONCURRENCY]
        for batch, concurrency in tqdm(runs, desc="measurements", unit="run"):
            backend.max_batch_size = batch  # type: ignore[misc]
            service = AssessmentService(backend, queue_size=64, request_timeout_s=600,
                                        batch_window_ms=args.batch_window_ms)
            service.start()
            try:
                asyncio.run(run_clients(service, concurrency, min(concurrency, args.requests)))  # warm-up
                throughput[batch, concurrency] = asyncio.run(run_clients(service, concurrency, args.requests))
            finally:
                service.stop()
    print(f"alm tiny speech LLM on CPU, 5 s utterance, {args.new_tokens} new tokens, {args.requests} requests each")
    print(f"{'concurrent':>10}  {'no batching req/s':>18}  {'batching req/s':>15}  {'ratio':>6}")
    for concurrency in CONCURRENCY:
        plain, batched = throughput[1, concurrency], throughput[8, concurrency]
        print(f"{concurrency:>10}  {plain:>18.2f}  {batched:>15.2f}  {batched / plain:>5.1f}x")
    print("goal: ratio >= 3x at 8 concurrent requests")


if __name__ == "__main__":
    main()
