"""Start the inference daemon from Anki, and stop it when Anki closes if the add-on started it.

Which command starts the daemon depends on the machine: the learner's ``daemon_command``, else the
project's own launcher when it can be found (the checkout the add-on was linked from, with its
``.venv``; or ``pronunciation-coach-daemon`` on the ``PATH``). The same search gives the hint shown
when the daemon is not running, so the hint always names a command that works here.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

CONSOLE_SCRIPT = "pronunciation-coach-daemon"
STOP_TIMEOUT_S = 5.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _venv_python(project: Path) -> Path | None:
    for candidate in (project / ".venv" / "bin" / "python", project / ".venv" / "Scripts" / "python.exe"):
        if candidate.is_file():
            return candidate
    return None


def project_checkout(addon_dir: Path) -> Path | None:
    """The project checkout holding the add-on (``tools/dev_install_addon.py`` links ``addon/`` into Anki)."""
    project = addon_dir.resolve().parent
    return project if (project / "inference_daemon" / "__main__.py").is_file() else None


def _port_arguments(daemon_url: str) -> list[str]:
    """``--port N`` so the project's launcher listens where the add-on will look (loopback URLs only)."""
    parts = urlsplit(daemon_url)
    if parts.hostname not in LOOPBACK_HOSTS:
        return []
    return ["--port", str(parts.port or (443 if parts.scheme == "https" else 80))]


def find_command(configured: str, addon_dir: Path, daemon_url: str) -> list[str] | None:
    """The command that starts the daemon on this machine, or None when none is known."""
    if configured:
        try:
            return shlex.split(configured, posix=os.name != "nt") or None
        except ValueError:
            log.warning("daemon_command %r cannot be split into arguments", configured)
            return None
    port = _port_arguments(daemon_url)
    if (project := project_checkout(addon_dir)) and (python := _venv_python(project)):
        return [str(python), "-m", "inference_daemon", "serve", *port]
    if script := shutil.which(CONSOLE_SCRIPT):
        return [script, "serve", *port]
    return None


def command_text(command: list[str]) -> str:
    return subprocess.list2cmdline(command) if os.name == "nt" else shlex.join(command)


def not_running_hint(command: list[str] | None) -> str:
    """What to do when the daemon does not answer, naming a command that works here when there is one."""
    if command:
        return ("Start it with Tools → Pronunciation Coach → Start daemon,\n"
                f"or in a terminal: {command_text(command)}")
    return ("Set the command that starts it in Tools → Pronunciation Coach → Settings…\n"
            "(the project's .venv/bin/python -m inference_daemon serve).")


class DaemonProcess:
    """The daemon the add-on started, if any; only that one is ever stopped."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self.command: list[str] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, command: list[str], log_path: Path) -> None:
        """Start ``command`` in the background, its output appended to ``log_path``; raises OSError."""
        if self.running:
            return
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log_file:
            flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
            cwd = project_checkout(Path(__file__).parent)
            self._process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, cwd=cwd, creationflags=flags)
        self.command = command
        log.info("started the daemon (pid %d): %s; log in %s", self._process.pid, command_text(command), log_path)

    def exit_code(self) -> int | None:
        """The exit code when the started daemon has already stopped (it failed to start), else None."""
        return self._process.poll() if self._process is not None else None

    def stop(self) -> None:
        """Stop the daemon this add-on started (never one started elsewhere)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        log.info("stopping the daemon the add-on started (pid %d)", process.pid)
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


