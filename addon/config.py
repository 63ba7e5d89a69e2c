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

# Keys Anki's reviewer already uses: record own voice, replay it, flags, set due date.
RESERVED_SHORTCUTS = frozenset(
    {"shift+v", "v", "ctrl+shift+d", *(f"ctrl+{digit}" for digit in range(1, 8))}
)
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
    parts = [part.strip().lower() for part in shortcut.split("+") if part.strip()]
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

    def _number(self, key: str, default: float, low: float, high: float) -> float:
        value = self._raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
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
