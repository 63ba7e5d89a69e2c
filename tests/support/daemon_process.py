"""Start the real daemon (``python -m inference_daemon serve``) on a free loopback port for a test.

Tests talk to it over HTTP exactly as the add-on does. The process is stopped and its log is
attached to the failure message when it does not come up.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

from tests.support.processes import stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTED = "tests.support.scripted_backend:ScriptedBackend"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class DaemonProcess:
    url: str
    pid: int


@contextlib.contextmanager
def running_daemon(*args: str, backend: str = SCRIPTED, env: dict[str, str] | None = None,
                   port: int | None = None, startup_timeout: float = 60.0,
                   wait_loaded: bool = True, log_lines: list[str] | None = None) -> Iterator[str]:
    """Run the daemon with ``args`` after ``serve --backend``; yields its base URL.

    ``log_lines``, when given, receives the daemon's log lines once it has stopped.
    """
    with running_daemon_process(*args, backend=backend, env=env, port=port, startup_timeout=startup_timeout,
                                wait_loaded=wait_loaded, log_lines=log_lines) as daemon:
        yield daemon.url


@contextlib.contextmanager
def running_daemon_process(*args: str, backend: str = SCRIPTED, env: dict[str, str] | None = None,
                           port: int | None = None, startup_timeout: float = 60.0,
                           wait_loaded: bool = True, log_lines: list[str] | None = None) -> Iterator[DaemonProcess]:
    """:func:`running_daemon`, yielding the process id too (to read its memory in ``/proc``)."""
    port = port or free_port()
    command = [sys.executable, "-m", "inference_daemon", "serve", "--backend", backend, "--port", str(port),
               *args]
    with tempfile.TemporaryFile() as log_file:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(process, base_url, startup_timeout, wait_loaded, log_file)
            yield DaemonProcess(base_url, process.pid)
        finally:
            stop_process(process)
            if log_lines is not None:
                log_file.seek(0)
                log_lines.extend(log_file.read().decode(errors="replace").splitlines())


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, timeout: float, wait_loaded: bool,
                   log_file: IO[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(requests.ConnectionError):
            health = requests.get(f"{base_url}/health", timeout=2).json()
            if health["loaded"] or not wait_loaded or health.get("load_error"):
                return
        time.sleep(0.1)
    log_file.seek(0)
    raise RuntimeError(f"daemon did not come up at {base_url}:\n{log_file.read().decode(errors='replace')}")
