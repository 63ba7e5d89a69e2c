"""Tools → Pronunciation Coach → Start daemon, and the start when a profile opens: Anki's side of the launcher.

Starts the command :mod:`daemon_launcher` finds, then waits in the background (with Anki's progress
window when the learner asked) until ``/health`` says the model is loaded. The daemon is stopped when
Anki quits, and only if this add-on started it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from aqt.main import AnkiQt
from aqt.operations import QueryOp
from aqt.utils import showWarning, tooltip

from .client import DaemonClient, DaemonError
from .config import AddonConfig
from .daemon_launcher import DaemonProcess, command_text, find_command, not_running_hint

log = logging.getLogger(__name__)

MESSAGE_PREFIX = "Pronunciation Coach: "
READY_TIMEOUT_S = 90.0
POLL_INTERVAL_S = 0.5
LOG_FILE = "daemon.log"


class DaemonStartFailed(Exception):
    """The daemon did not come up; the message says what the learner can do."""


class DaemonControl:
    """One per Anki session: knows the command, starts it, and stops what it started."""

    def __init__(self, mw: AnkiQt, addon_dir: Path, config: Callable[[], AddonConfig],
                 on_ready: Callable[[], None]) -> None:
        self.mw = mw
        self.addon_dir = addon_dir
        self._config = config
        self._on_ready = on_ready
        self.process = DaemonProcess()
        self._starting = False
        mw.app.aboutToQuit.connect(self.process.stop)

    @property
    def log_path(self) -> Path:
        return self.addon_dir / "user_files" / LOG_FILE

    def command(self) -> list[str] | None:
        config = self._config()
        return find_command(config.daemon_command, self.addon_dir, config.daemon_url)

    def hint(self) -> str:
        """The not-running hint for this machine."""
        return not_running_hint(self.command())

    def start(self, *, quiet: bool = False) -> None:
        """Start the daemon unless one already answers; ``quiet`` (profile open) shows no progress window."""
        if self._starting:
            return
        command = self.command()
        if command is None:
            if not quiet:
                showWarning(MESSAGE_PREFIX + "no command to start the daemon is known on this computer.\n\n"
                            + self.hint(), parent=self.mw)
            return
        config = self._config()
        client = DaemonClient(config.daemon_url, config.token, timeout_s=3)
        self._starting = True

        def start_and_wait(_: object) -> str:
            if _answers(client):
                return "already running"
            try:
                self.process.start(command, self.log_path)
            except OSError as exc:
                raise DaemonStartFailed(f"{command_text(command)} could not be run ({exc}).") from exc
            self._wait_until_ready(client)
            return "started"

        operation = QueryOp(parent=self.mw, op=start_and_wait, success=lambda outcome: self._started(outcome, quiet)) \
            .failure(lambda exc: self._failed(exc, quiet)).without_collection()
        if not quiet:
            operation = operation.with_progress("Starting the pronunciation daemon…")
        operation.run_in_background()

    def _wait_until_ready(self, client: DaemonClient) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if (code := self.process.exit_code()) is not None:
                raise DaemonStartFailed(f"the daemon stopped at once (exit code {code}); see {self.log_path}.")
            try:
                if client.status().loaded:
                    return
            except DaemonError:
                pass
            time.sleep(POLL_INTERVAL_S)
        raise DaemonStartFailed(f"the daemon did not get ready within {READY_TIMEOUT_S:.0f} s; see {self.log_path}.")

    def _started(self, outcome: str, quiet: bool) -> None:
        self._starting = False
        log.info("daemon %s", outcome)
        if not quiet:
            tooltip(MESSAGE_PREFIX + ("the daemon is ready." if outcome == "started"
                                      else "the daemon is already running."))
        self._on_ready()

    def _failed(self, exc: Exception, quiet: bool) -> None:
        self._starting = False
        log.warning("starting the daemon failed: %s", exc)
        if not quiet:
            showWarning(MESSAGE_PREFIX + str(exc), parent=self.mw)
        else:
            tooltip(MESSAGE_PREFIX + str(exc), period=8000)


def _answers(client: DaemonClient) -> bool:
    try:
        client.status()
    except DaemonError:
        return False
    return True
