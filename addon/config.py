"""Named, checked settings over Anki's add-on config, so no other module reads the raw dictionary.

The defaults live in ``config.json`` (documented in ``config.md``); Anki merges the learner's edits
over them. Values that make no sense fall back to the default instead of breaking a review.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import Enum
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_DAEMON_URL = "http://127.0.0.1:8770"
DEFAULT_SHORTCUT = "Ctrl+Shift+R"
DAEMON_MAX_AUDIO_S = 30.0

# Keys Anki already uses while reviewing (aqt.reviewer.Reviewer._shortcutKeys, Anki 25.02-26.09)
# and the main window's global keys; a test compares this with the running Anki's reviewer.
RESERVED_SHORTCUTS = frozenset({
    # reviewer
    "e", "space", "return", "enter", "m", "r", "f5", "*", "=", "-", "!", "@", "v", "shift+v", "o", "i", "u",
    "1", "2", "3", "4", "5", "6", "7", "shift+a", "ctrl+alt+n", "ctrl+alt+e", "ctrl+alt+i", "ctrl+delete",
    "ctrl+backspace", "ctrl+shift+d", *(f"ctrl+{digit}" for digit in range(1, 8)),
    # main window, any state
    "a", "b", "d", "s", "t", "y", "/", "ctrl+z", "ctrl+shift+z", "ctrl+shift+a", "ctrl+shift+p", "ctrl+shift+;",
    "ctrl+shift+i", "ctrl+q", "escape",
})
#: how Qt spells some keys, to their name in :data:`RESERVED_SHORTCUTS`
_KEY_ALIASES = {" ": "space", "del": "delete", "esc": "escape", "ins": "insert", "bksp": "backspace"}
_MODIFIER_ORDER = ("ctrl", "alt", "shift", "meta")


class OnMispronounced(str, Enum):
    """What a learner's answer becomes when this review's recording had mispronounced words."""

    again = "again"
    hard = "hard"
    unchanged = "unchanged"


class RecorderKind(str, Enum):
    anki = "anki"
    sounddevice = "sounddevice"


def normalize_shortcut(shortcut: str) -> str:
    """Lower-case, modifiers in a fixed order: ``"Shift+Ctrl+r"`` → ``"ctrl+shift+r"``."""
    if shortcut.strip() == "+":
        return "+"
    parts = [_KEY_ALIASES.get(part.strip().lower(), part.strip().lower()) for part in shortcut.split("+")
             if part.strip()]
    if not parts and " " in shortcut:
        return "space"
    modifiers = sorted((p for p in parts if p in _MODIFIER_ORDER), key=_MODIFIER_ORDER.index)
    keys = [p for p in parts if p not in _MODIFIER_ORDER]
    return "+".join([*modifiers, *keys])


class AddonConfig:
    """The add-on's settings; build one from ``mw.addonManager.getConfig(__name__)`` when needed."""

    def __init__(self, raw: Mapping[str, Any] | None) -> None:
        self._raw: Mapping[str, Any] = raw or {}

    def _text(self, key: str, default: str) -> str:
        value = self._raw.get(key, default)
        return value.strip() if isinstance(value, str) else default

    def _flag(self, key: str, default: bool) -> bool:
        value = self._raw.get(key, default)
        return value if isinstance(value, bool) else default

    def _number(self, key: str, default: float, low: float, high: float) -> float:
        value = self._raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            log.warning("config %s=%r is not a number in [%s, %s]; using %s", key, value, low, high, default)
            return default
        return float(value)

    @property
    def daemon_url(self) -> str:
        url = self._text("daemon_url", DEFAULT_DAEMON_URL).rstrip("/")
        return url if url.startswith(("http://", "https://")) else DEFAULT_DAEMON_URL

    @property
    def token(self) -> str:
        return self._text("token", "")

    @property
    def request_timeout_s(self) -> float:
        return self._number("request_timeout_s", 60.0, 1.0, 600.0)

    @property
    def native_language(self) -> str | None:
        code = self._text("native_language", "").lower()
        return code if len(code) == 2 and code.isalpha() else None

    @property
    def sentence_field(self) -> str:
        return self._text("sentence_field", "Sentence") or "Sentence"

    @property
    def recording_field(self) -> str:
        return self._text("recording_field", "Recording")

    @property
    def feedback_field(self) -> str:
        return self._text("feedback_field", "Feedback")

    @property
    def reference_audio_field(self) -> str:
        return self._text("reference_audio_field", "Reference Audio")

    @property
    def recorder(self) -> RecorderKind:
        try:
            return RecorderKind(self._text("recorder", RecorderKind.anki.value).lower())
        except ValueError:
            return RecorderKind.anki

    @property
    def max_recording_s(self) -> float:
        return self._number("max_recording_s", 15.0, 1.0, DAEMON_MAX_AUDIO_S)

    @property
    def shortcut(self) -> str:
        """The recording shortcut; one that would take an Anki reviewer key falls back to the default."""
        shortcut = self._text("shortcut", DEFAULT_SHORTCUT)
        if not normalize_shortcut(shortcut) or normalize_shortcut(shortcut) in RESERVED_SHORTCUTS:
            log.warning("shortcut %r is empty or one of Anki's reviewer keys; using %s", shortcut, DEFAULT_SHORTCUT)
            return DEFAULT_SHORTCUT
        return shortcut

    @property
    def on_mispronounced(self) -> OnMispronounced:
        try:
            return OnMispronounced(self._text("on_mispronounced", OnMispronounced.again.value).lower())
        except ValueError:
            return OnMispronounced.again

    @property
    def retry_interval_s(self) -> float:
        return self._number("retry_interval_s", 120.0, 1.0, 86_400.0)

    @property
    def verdict_wait_s(self) -> float:
        """How long an answer pressed before the verdict is back waits for it ("checking your reading…")."""
        return self._number("verdict_wait_s", 5.0, 0.0, 30.0)

    @property
    def daemon_command(self) -> str:
        """The command that starts the daemon on this machine; empty: the project's own launcher, if found."""
        return self._text("daemon_command", "")

    @property
    def start_daemon_on_open(self) -> bool:
        """Start the daemon when the profile opens, unless one already answers at ``daemon_url``."""
        return self._flag("start_daemon_on_open", False)
