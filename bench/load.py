"""Load and soak the daemon over loopback: throughput, latency percentiles, statuses and memory.

Each level runs N clients for a fixed time, each client posting a 5 s WAV in a loop (waiting
``--backoff`` after a 503, as a polite client would); the daemon's RSS is read from /proc after
each level. ``--soak`` then holds ``--soak-clients`` clients for that many minutes and samples RSS
every ``--sample-s`` seconds, to show whether memory creeps. Everything stops by itself.

By default the bench starts its own daemon with the test suite's scripted backend sleeping
``--delay`` seconds per batch (a stand-in for a model), so the numbers are the daemon's queueing and
shedding, not a model's speed. ``--url URL --pid PID`` targets a daemon you started (loopback only).

    .venv/bin/python bench/load.py                          # 1, 4, 16, 64 clients, 10 s each
    .venv/bin/python bench/load.py --clients 64 --seconds 30 --soak 10
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_daemon_overhead import SENTENCE, five_second_wav
from inference_daemon.settings import is_loopback
from tests.support.daemon_process import running_daemon_process

MB = 1024 * 1024


@dataclass
class LevelResult:
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)  # of 200 answers
    busy_ms: list[float] = field(default_factory=list)  # of 503 answers
    statuses: Counter[str] = field(default_factory=Counter)



def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid`` in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def run_level(url: str, audio: bytes, clients: int, seconds: float, backoff_s: float) -> LevelResult:
    """``clients`` threads posting in a loop until ``seconds`` have passed."""
    result = LevelResult(clients, seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        with requests.Session() as session:
            while time.monotonic() < deadline:
                began = time.perf_counter()
                try:
                    response = session.post(f"{url}/v1/assess", files={"audio": ("a.wav", audio, "audio/wav")},
                                            data={"text": SENTENCE}, timeout=120)
                    status = str(response.status_code)
                except requests.RequestException as exc:
                    status = type(exc).__name__
                elapsed_ms = (time.perf_counter() - began) * 1000
                with lock:
                    result.statuses[status] += 1
                    if status == "200":
                        result.latencies_ms.append(elapsed_ms)
                    elif status == "503":
                        result.busy_ms.append(elapsed_ms)
                if status != "200":
                    time.sleep(backoff_s)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def print_level(result: LevelResult, pid: int | None) -> None:
    ok = result.latencies_ms
    rss = f"{memory_mb(pid)[0]:7.0f}" if pid else "      -"
    others = ", ".join(f"{k}:{v}" for k, v in sorted(result.statuses.items()) if k not in ("200", "503")) or "-"
    print(f"{result.clients:7d} {sum(result.statuses.values()):8d} {len(ok) / result.seconds:7.1f} "
          f"{percentile(ok, 0.5):7.0f} {percentile(ok, 0.95):7.0f} {percentile(ok, 0.99):7.0f} "
          f"{result.statuses['200']:6d} {result.statuses['503']:6d} {statistics.median(result.busy_ms or [0]):8.1f}"
          f" {rss}  {others}", flush=True)


def soak(url: str, audio: bytes, pid: int | None, clients: int, minutes: float, sample_s: float,
         backoff_s: float) -> None:
    print(f"\nsoak: {clients} clients for {minutes:g} min")
    samples: list[float] = []
    totals: Counter[str] = Counter()
    latencies: list[float] = []
    deadline = time.monotonic() + minutes * 60
    while time.monotonic() < deadline:
        level = run_level(url, audio, clients, min(sample_s, max(0.1, deadline - time.monotonic())), backoff_s)
        totals.update(level.statuses)
        latencies.extend(level.latencies_ms)
        if pid:
            samples.append(memory_mb(pid)[0])
    print(f"  requests {sum(totals.values())}  statuses {dict(totals)}  "
          f"throughput {totals['200'] / (minutes * 60):.1f} req/s")
    print(f"  latency of 200s: p50 {percentile(latencies, 0.5):.0f} ms  p99 {percentile(latencies, 0.99):.0f} ms")
    if pid and samples:
        print(f"  RSS MB: first sample {samples[0]:.0f}  last {samples[-1]:.0f}  max {max(samples):.0f}  "
              f"peak (VmHWM) {memory_mb(pid)[1]:.0f}")


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, int | None]]:
    if args.url:
        host = urlsplit(args.url).hostname or ""
        if not is_loopback(host):
            raise SystemExit(f"refusing to load {args.url}: this bench only targets loopback daemons")
        yield args.url.rstrip("/"), args.pid
        return
    with running_daemon_process("--delay", str(args.delay), "--queue-size", str(args.queue_size),
                                "--workers", str(args.workers)) as daemon:
        yield daemon.url, daemon.pid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,4,16,64", help="client counts, one level each (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per level (default: %(default)g)")
    parser.add_argument("--soak", type=float, default=0.0, help="then soak for this many minutes (default: none)")
    parser.add_argument("--soak-clients", type=int, default=16)
    parser.add_argument("--sample-s", type=float, default=10.0, help="soak RSS sampling period")
    parser.add_argument("--backoff", type=float, default=0.2, help="seconds a client waits after a non-200")
    parser.add_argument("--delay", type=float, default=0.05, help="scripted backend: seconds per batch")
    parser.add_argument("--queue-size", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--url", help="an already running loopback daemon instead of starting one")
    parser.add_argument("--pid", type=int, help="that daemon's process id, to read its memory")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    if max(levels) > 256 or args.seconds > 600 or args.soak > 60:
        raise SystemExit("bounded on purpose: at most 256 clients, 600 s per level and a 60 min soak")

    audio = five_second_wav()
    with target(args) as (url, pid):
        print(f"daemon {url}; 5 s WAV ({len(audio) / 1e3:.0f} kB); {args.seconds:g} s per level"
              + ("" if args.url else f"; scripted backend, {args.delay * 1000:g} ms per batch, "
                                     f"queue {args.queue_size}, {args.workers} worker(s)"))
        if pid:
            print(f"daemon RSS before: {memory_mb(pid)[0]:.0f} MB")
        print("clients requests   ok/s  p50 ms  p95 ms  p99 ms    200    503  503 p50 RSS MB  other")
        for clients in levels:
            print_level(run_level(url, audio, clients, args.seconds, args.backoff), pid)
        if args.soak:
            soak(url, audio, pid, args.soak_clients, args.soak, args.sample_s, args.backoff)


if __name__ == "__main__":
    main()
