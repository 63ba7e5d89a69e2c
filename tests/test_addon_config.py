"""The add-on's settings: documented defaults, checked values, and shortcuts that leave Anki's keys alone."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.anki_support.addon_import import ADDON_DIR, addon_module

config = addon_module("config")
DEFAULTS = json.loads((ADDON_DIR / "config.json").read_text(encoding="utf-8"))


def test_defaults_are_valid_and_documented() -> None:
    jsonschema.validate(DEFAULTS, json.loads((ADDON_DIR / "config.schema.json").read_text(encoding="utf-8")))
    documentation = (ADDON_DIR / "config.md").read_text(encoding="utf-8")
    assert [key for key in DEFAULTS if f"`{key}`" not in documentation] == []


def test_defaults_read_through_the_named_properties() -> None:
    settings = config.AddonConfig(DEFAULTS)
    assert settings.daemon_url == "http://127.0.0.1:8770"
    assert settings.shortcut == "Ctrl+Shift+R"
    assert settings.on_mispronounced is config.OnMispronounced.again
    assert settings.recorder is config.RecorderKind.anki
    assert settings.sentence_field == "Sentence"
    assert settings.native_language is None


@pytest.mark.parametrize("shortcut", ["Shift+V", "v", "Ctrl+3", "ctrl+shift+d", "Shift+Ctrl+D", ""])
def test_shortcuts_taken_by_anki_fall_back_to_the_default(shortcut: str) -> None:
    assert config.AddonConfig({"shortcut": shortcut}).shortcut == config.DEFAULT_SHORTCUT


def test_a_free_shortcut_is_kept() -> None:
    assert config.AddonConfig({"shortcut": "Alt+R"}).shortcut == "Alt+R"
    assert config.normalize_shortcut("Shift+Ctrl+r") == "ctrl+shift+r"


@pytest.mark.parametrize(("key", "value", "prop", "expected"), [
    ("max_recording_s", 500, "max_recording_s", 15.0),
    ("max_recording_s", "ten", "max_recording_s", 15.0),
    ("max_recording_s", 8, "max_recording_s", 8.0),
    ("daemon_url", "localhost:8770", "daemon_url", "http://127.0.0.1:8770"),
    ("daemon_url", "http://10.0.0.2:9000/", "daemon_url", "http://10.0.0.2:9000"),
    ("native_language", "ZH", "native_language", "zh"),
    ("native_language", "Chinese", "native_language", None),
    ("on_mispronounced", "HARD", "on_mispronounced", "hard"),
    ("on_mispronounced", "never", "on_mispronounced", "again"),
    ("recorder", "sounddevice", "recorder", "sounddevice"),
])
def test_values_are_checked(key: str, value: object, prop: str, expected: object) -> None:
    assert getattr(config.AddonConfig({key: value}), prop) == expected
