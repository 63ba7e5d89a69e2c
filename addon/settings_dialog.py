"""Tools → Pronunciation Coach → Settings…: the add-on's settings as a form, written back to Anki's JSON config.

The JSON config stays the one source of truth (Tools → Add-ons → Config still edits it; "Advanced…"
opens it): the form reads the current values through :class:`AddonConfig`, and Save merges only the
keys it shows into the raw config, so keys it does not show (field names, retry interval) are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aqt.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QKeySequence,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .config import (
    DAEMON_MAX_AUDIO_S,
    RESERVED_SHORTCUTS,
    AddonConfig,
    OnMispronounced,
    RecorderKind,
    normalize_shortcut,
)

POLICY_LABELS = {
    OnMispronounced.again: "Count the review as Again",
    OnMispronounced.hard: "Count Good and Easy as Hard",
    OnMispronounced.unchanged: "Keep my answer",
}
RECORDER_LABELS = {
    RecorderKind.anki: "Anki's own recorder",
    RecorderKind.sounddevice: "sounddevice (PortAudio), when Anki hears nothing",
}
#: first languages with tips in the knowledge base, shown by name (any two-letter code may be typed)
LANGUAGES = (("", "None"), ("zh", "Chinese"), ("es", "Spanish"), ("ja", "Japanese"), ("ko", "Korean"),
             ("ar", "Arabic"), ("hi", "Hindi"), ("vi", "Vietnamese"), ("pt", "Portuguese"), ("fr", "French"),
             ("de", "German"), ("ru", "Russian"), ("it", "Italian"), ("tr", "Turkish"))


class SettingsDialog(QDialog):
    """The form; ``save`` receives the merged raw config when the learner presses Save."""

    def __init__(self, parent: QWidget, raw: Mapping[str, Any], save: Callable[[dict[str, Any]], None],
                 open_json: Callable[[], None], found_command: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pronunciation Coach — settings")
        self.setMinimumWidth(620)
        self._raw = dict(raw)
        self._save = save
        config = AddonConfig(raw)

        self.daemon_url = QLineEdit(config.daemon_url)
        self.token = QLineEdit(config.token)
        self.token.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.token.setPlaceholderText("only when the daemon was started with --token")
        self.daemon_command = QLineEdit(config.daemon_command)
        self.daemon_command.setPlaceholderText("empty: the project's own launcher, when found")
        self.start_on_open = QCheckBox("Start the daemon when my profile opens (and stop it when Anki closes)")
        self.start_on_open.setChecked(config.start_daemon_on_open)
        self.recorder = QComboBox()
        for kind, label in RECORDER_LABELS.items():
            self.recorder.addItem(label, kind.value)
        self.recorder.setCurrentIndex(self.recorder.findData(config.recorder.value))
        self.max_recording = self._seconds(config.max_recording_s, 1, DAEMON_MAX_AUDIO_S)
        self.shortcut = QKeySequenceEdit(QKeySequence(config.shortcut))
        self.policy = QComboBox()
        for policy, label in POLICY_LABELS.items():
            self.policy.addItem(label, policy.value)
        self.policy.setCurrentIndex(self.policy.findData(config.on_mispronounced.value))
        self.verdict_wait = self._seconds(config.verdict_wait_s, 0, 30)
        self.native_language = QComboBox()
        self.native_language.setEditable(True)
        for code, name in LANGUAGES:
            self.native_language.addItem(f"{name} ({code})" if code else name, code)
        self._select_language(config.native_language or "")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c62828")

        form = QFormLayout()
        form.addRow("Daemon address", self.daemon_url)
        form.addRow("Token", self.token)
        form.addRow("Command that starts it", self.daemon_command)
        hint = QLabel(f"When empty, this runs: {found_command}" if found_command else
                      "No launcher was found on this computer: enter the command, e.g. "
                      "/path/to/pronunciation-coach/.venv/bin/python -m inference_daemon serve")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray")
        form.addRow("", hint)
        form.addRow("", self.start_on_open)
        form.addRow("Recorder", self.recorder)
        form.addRow("Longest recording", self.max_recording)
        form.addRow("Record shortcut", self.shortcut)
        form.addRow("With mispronounced words", self.policy)
        form.addRow("Wait for the verdict", self.verdict_wait)
        form.addRow("Your first language", self.native_language)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        advanced = buttons.addButton("Advanced (JSON)…", QDialogButtonBox.ButtonRole.ResetRole)
        assert advanced is not None
        advanced.clicked.connect(lambda: self._open_json(open_json))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _open_json(self, open_json: Callable[[], None]) -> None:
        self.reject()
        open_json()

    @staticmethod
    def _seconds(value: float, low: float, high: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setDecimals(0)
        box.setSuffix(" s")
        box.setValue(value)
        return box

    def _select_language(self, code: str) -> None:
        index = self.native_language.findData(code)
        if index >= 0:
            self.native_language.setCurrentIndex(index)
        else:
            self.native_language.setEditText(code)

    def _language_code(self) -> str:
        text = self.native_language.currentText()
        index = self.native_language.findText(text)
        if index >= 0:
            return str(self.native_language.itemData(index))
        return text.strip().lower()

    def values(self) -> dict[str, Any]:
        """The raw config with the form's values merged in."""
        return {
            **self._raw,
            "daemon_url": self.daemon_url.text().strip(),
            "token": self.token.text().strip(),
            "daemon_command": self.daemon_command.text().strip(),
            "start_daemon_on_open": self.start_on_open.isChecked(),
            "recorder": self.recorder.currentData(),
            "max_recording_s": self.max_recording.value(),
            "shortcut": self.shortcut.keySequence().toString(QKeySequence.SequenceFormat.PortableText),
            "on_mispronounced": self.policy.currentData(),
            "verdict_wait_s": self.verdict_wait.value(),
            "native_language": self._language_code(),
        }

    def problems(self, values: Mapping[str, Any]) -> list[str]:
        """What would be ignored or replaced by a default, said before saving rather than silently."""
        found = []
        if not str(values["daemon_url"]).startswith(("http://", "https://")):
            found.append("The daemon address must start with http:// or https://.")
        shortcut = normalize_shortcut(str(values["shortcut"]))
        if not shortcut or shortcut in RESERVED_SHORTCUTS:
            found.append(f"{values['shortcut'] or 'An empty shortcut'} is one of Anki's reviewer keys; choose another.")
        code = str(values["native_language"])
        if code and not (len(code) == 2 and code.isalpha()):
            found.append("Your first language must be a two-letter code such as zh or es.")
        return found

    def accept(self) -> None:
        values = self.values()
        if problems := self.problems(values):
            self.problem.setText("\n".join(problems))
            return
        self._save(values)
        super().accept()
