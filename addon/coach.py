"""The add-on's parts for the open profile, created when Anki is ready and dropped when the profile closes.

``__init__`` hands Anki's hooks to one :class:`Coach`; nothing here runs before a hook fires, so
importing the add-on never touches ``mw``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aqt

from .assessment_flow import AssessmentFlow
from .config import AddonConfig
from .daemon_control import DaemonControl
from .menu import CoachMenu
from .review_state import ReviewTracker
from .reviewer import ReviewerController
from .storage import profile_dir

log = logging.getLogger(__name__)


class Coach:
    def __init__(self, addon_module: str) -> None:
        self.addon_module = addon_module
        self.tracker = ReviewTracker()
        self.flow: AssessmentFlow | None = None
        self.menu: CoachMenu | None = None
        self._daemon: DaemonControl | None = None
        self.reviewer = ReviewerController(self.config, self.tracker, lambda: self.flow)

    def config(self) -> AddonConfig:
        mw = aqt.mw
        return AddonConfig(mw.addonManager.getConfig(self.addon_module) if mw else None)

    def main_window_ready(self) -> None:
        mw = aqt.mw
        assert mw is not None
        self.menu = CoachMenu(mw, self.addon_module, self.config, lambda: self.flow, self.daemon)
        mw.addonManager.setConfigUpdatedAction(self.addon_module, lambda _: self.config_changed())

    def profile_opened(self) -> None:
        """Set up the flow; the practice note type is created only when the learner adds sentences."""
        mw = aqt.mw
        assert mw is not None and mw.col is not None
        user_files = Path(mw.addonManager.addonsFolder(self.addon_module)) / "user_files"
        store = profile_dir(user_files, mw.pm.name or "profile")
        self.flow = AssessmentFlow(mw, store, self.config, self.tracker, self.reviewer, self.daemon.hint)
        log.info("Pronunciation Coach ready; %d recording(s) waiting in %s", len(self.flow.queue), store)
        if self.config().start_daemon_on_open:
            self.daemon.start(quiet=True)

    @property
    def daemon(self) -> DaemonControl:
        """The daemon launcher, made on first use (Anki opens the profile before ``main_window_did_init``)."""
        if self._daemon is None:
            mw = aqt.mw
            assert mw is not None
            addon_dir = Path(mw.addonManager.addonsFolder(self.addon_module))
            self._daemon = DaemonControl(mw, addon_dir, self.config, self._daemon_ready)
        return self._daemon

    def _daemon_ready(self) -> None:
        if self.flow is not None:
            self.flow.retry_queued(quiet=True)

    def profile_closing(self) -> None:
        self.reviewer.reviewer_will_end()
        if self.flow is not None:
            self.flow.close()
            self.flow = None

    def config_changed(self) -> None:
        if self.flow is not None:
            self.flow.restart_retry_timer()
