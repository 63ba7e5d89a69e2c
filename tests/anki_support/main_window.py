"""A real Anki main window, started headless in this process with the add-on installed.

Qt runs offscreen; the test drives the event loop itself (:meth:`AnkiSession.wait_until`), so
background operations finish and their callbacks run on the main thread as in the real app.
Only one Anki can run per process: share one session per test module.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any
from unittest import mock

from .addon_import import ADDON_DIR, ADDON_PACKAGE

STARTUP_TIMEOUT_S = 60.0


class AnkiSession:
    def __init__(self, app: Any, mw: Any, base: Path) -> None:
        self.app = app
        self.mw = mw
        self.base = base
        self.errors: list[str] = []

    @property
    def addon_dir(self) -> Path:
        return self.base / "addons21" / ADDON_PACKAGE

    def pump(self, seconds: float = 0.05) -> None:
        from aqt.qt import QEventLoop

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result := predicate():
                return result
            self.pump(0.03)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; errors: {self.errors}")

    def eval_js(self, webview: Any, script: str, timeout: float = 10.0) -> Any:
        box: list[Any] = []
        webview.evalWithCallback(script, box.append)
        self.wait_until(lambda: box, timeout, f"JavaScript result of {script[:60]!r}")
        return box[0]

    def set_config(self, **changes: Any) -> None:
        """Change the add-on's config as Anki's config editor does, telling the add-on afterwards."""
        manager = self.mw.addonManager
        config = {**manager.getConfig(ADDON_PACKAGE), **changes}
        manager.writeConfig(ADDON_PACKAGE, config)
        manager.configUpdatedAction(ADDON_PACKAGE)(config)

    def _record_exception(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        import traceback

        self.errors.append("".join(traceback.format_exception(kind, value, tb)))


def install_addon_copy(base: Path, config: dict[str, Any] | None = None) -> Path:
    """Copy ``addon/`` into ``base/addons21`` (a copy, so the test's user_files stay out of the repo)."""
    target = base / "addons21" / ADDON_PACKAGE
    shutil.copytree(ADDON_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "user_files", "meta.json"))
    if config:
        (target / "meta.json").write_text(json.dumps({"config": config}), encoding="utf-8")
    return target


def prepare_headless_qt() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"


@contextlib.contextmanager
def running_anki(base: Path) -> Iterator[AnkiSession]:
    """Start Anki on ``base`` (add-ons already in ``base/addons21``), wait for the profile, yield it."""
    prepare_headless_qt()
    import aqt
    import aqt.profiles

    # Anki's single-instance check is per user; a test Anki must neither join nor be joined by another.
    aqt.AnkiApp.KEY = f"pronunciation-coach-test-{os.getpid()}"
    previous_hook = sys.excepthook
    with mock.patch.object(aqt.profiles.ProfileManager, "setDefaultLang",
                           lambda self, index: self.setLang("en_US")):
        app = aqt._run(["anki", "-b", str(base)], exec=False)
    assert app is not None and aqt.mw is not None
    session = AnkiSession(app, aqt.mw, base)
    sys.excepthook = session._record_exception
    try:
        session.wait_until(lambda: aqt.mw.col is not None and aqt.mw.state == "deckBrowser",
                           STARTUP_TIMEOUT_S, "Anki to open its profile")
        yield session
    finally:
        _close(session)
        sys.excepthook = previous_hook  # Anki's error handler sets it to None when it unloads


def _close(session: AnkiSession) -> None:
    """Close the profile and leave Anki's event loop the way Anki itself does when quitting."""
    from aqt.qt import QTimer

    session.mw.unloadProfileAndExit()  # ends by calling app.exit(0) from a timer
    QTimer.singleShot(int(STARTUP_TIMEOUT_S * 1000), session.app.quit)  # never hang a test run
    session.app.exec()
