"""Tools → Pronunciation Coach: check the daemon, retry queued recordings, progress, settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import aqt
from aqt.addons import ConfigEditor
from aqt.main import AnkiQt
from aqt.operations import QueryOp
from aqt.qt import QAction, QMenu, QWidget
from aqt.utils import showInfo, showWarning, tooltip

from .assessment_flow import MESSAGE_PREFIX, AssessmentFlow
from .authoring.menu_actions import add_authoring_actions
from .client import DaemonClient, DaemonError, DaemonStatus
from .config import AddonConfig
from .daemon_control import DaemonControl
from .daemon_launcher import command_text, find_command
from .progress_view import ProgressDialog
from .settings_dialog import SettingsDialog

MENU_TITLE = "Pronunciation Coach"


def describe_status(status: DaemonStatus, queued: int) -> str:
    state = "ready" if status.loaded else f"not ready ({status.load_error or 'the model is still loading'})"
    return (f"The daemon at {status.url} is {state}.\n\nBackend: {status.backend}\nModel: {status.model}\n"
            f"Latency: {status.latency_ms:.0f} ms\nRecordings waiting to be sent: {queued}")


class _EditorParent(QWidget):
    """What Anki's ConfigEditor needs of its parent (``.mgr``), without opening the Add-ons window."""

    def __init__(self, mw: AnkiQt) -> None:
        super().__init__(mw)
        self.mgr = mw.addonManager


class CoachMenu:
    def __init__(self, mw: AnkiQt, addon_module: str, config: Callable[[], AddonConfig],
                 flow: Callable[[], AssessmentFlow | None], daemon: DaemonControl) -> None:
        self.mw = mw
        self._addon_module = addon_module
        self._config = config
        self._flow = flow
        self._daemon = daemon
        self.menu = QMenu(MENU_TITLE, mw)
        self._add("Check daemon", self.check_daemon)
        self._add("Start daemon", self.start_daemon)
        self._add("Retry queued recordings", self.retry_queued)
        self._add("Progress…", self.show_progress)
        self._add("Settings…", self.open_settings)
        add_authoring_actions(self.menu, mw)
        mw.form.menuTools.addMenu(self.menu)
        self.progress_dialog: ProgressDialog | None = None
        self.settings_dialog: SettingsDialog | None = None

    def _add(self, title: str, handler: Callable[[], None]) -> None:
        action = QAction(title, self.menu)
        action.triggered.connect(handler)
        self.menu.addAction(action)

    def check_daemon(self) -> None:
        config = self._config()
        client = DaemonClient(config.daemon_url, config.token, timeout_s=10)
        flow = self._flow()
        queued = len(flow.queue) if flow else 0

        def failed(exc: Exception) -> None:
            message = exc.message if isinstance(exc, DaemonError) else str(exc)
            if isinstance(exc, DaemonError) and exc.not_running:
                message += ".\n\n" + self._daemon.hint()
            showWarning(MESSAGE_PREFIX + message, parent=self.mw)

        QueryOp(parent=self.mw, op=lambda _: client.status(),
                success=lambda status: showInfo(describe_status(status, queued), parent=self.mw)) \
            .failure(failed).without_collection().with_progress("Asking the daemon…").run_in_background()

    def start_daemon(self) -> None:
        self._daemon.start()

    def retry_queued(self) -> None:
        flow = self._flow()
        sent = flow.retry_queued() if flow else 0
        tooltip(f"{MESSAGE_PREFIX}sending {sent} queued recording{'s' if sent != 1 else ''}…" if sent
                else f"{MESSAGE_PREFIX}no recordings are waiting.")

    def show_progress(self) -> None:
        flow = self._flow()
        self.progress_dialog = ProgressDialog(self.mw, flow.history.entries() if flow else [], self.browse,
                                              self._config().sentence_field)
        self.progress_dialog.show()

    def browse(self, search: str) -> None:
        """Anki's browser on ``search`` (the progress view's way to the cards that need work)."""
        aqt.dialogs.open("Browser", self.mw, search=(search,))

    def open_settings(self) -> None:
        """The settings form; the JSON config stays valid underneath and is one click away."""
        manager = self.mw.addonManager
        raw: dict[str, Any] = manager.getConfig(self._addon_module) or {}

        def save(values: dict[str, Any]) -> None:
            manager.writeConfig(self._addon_module, values)
            action: Any = manager.configUpdatedAction(self._addon_module)  # None when nothing is registered
            if action is not None:
                action(values)
            tooltip(f"{MESSAGE_PREFIX}settings saved.")

        config = AddonConfig(raw)
        found = find_command("", self._daemon.addon_dir, config.daemon_url)
        self.settings_dialog = SettingsDialog(self.mw, raw, save, self.open_json_config,
                                              command_text(found) if found else None)
        self.settings_dialog.show()

    def open_json_config(self) -> None:
        """Anki's own JSON editor for every key, without the Add-ons window behind it."""
        addon = self.mw.addonManager.addonFromModule(self._addon_module)
        conf: Any = self.mw.addonManager.getConfig(self._addon_module)
        ConfigEditor(cast(Any, _EditorParent(self.mw)), addon, conf)
