"""Which command starts the daemon on this machine, the hint that names it, and stopping only what was started."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.anki_support.addon_import import ADDON_DIR, REPO_ROOT, addon_module

launcher = addon_module("daemon_launcher")
URL = "http://127.0.0.1:8770"


def test_the_configured_command_wins() -> None:
    command = launcher.find_command("/opt/coach/bin/python -m inference_daemon serve --port 9000", ADDON_DIR, URL)
    assert command == ["/opt/coach/bin/python", "-m", "inference_daemon", "serve", "--port", "9000"]


def test_a_linked_checkout_uses_its_own_venv_on_the_configured_port(tmp_path: Path) -> None:
    (tmp_path / "inference_daemon").mkdir()
    (tmp_path / "inference_daemon" / "__main__.py").touch()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    (tmp_path / "addon").mkdir()
    linked = tmp_path / "anki" / "pronunciation_coach"
    linked.parent.mkdir()
    linked.symlink_to(tmp_path / "addon")
    command = launcher.find_command("", linked, "http://127.0.0.1:9123")
    assert command == [str(tmp_path / ".venv" / "bin" / "python"), "-m", "inference_daemon", "serve",
                       "--port", "9123"]


def test_this_checkout_is_found_from_the_addon_folder() -> None:
    assert launcher.project_checkout(ADDON_DIR) == REPO_ROOT


def test_an_installed_package_without_a_checkout_or_script_knows_no_command(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert launcher.find_command("", tmp_path / "pronunciation_coach", URL) is None
    hint = launcher.not_running_hint(None)
    assert "Settings" in hint and "python -m inference_daemon serve" in hint


def test_the_console_script_on_the_path_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / launcher.CONSOLE_SCRIPT
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert launcher.find_command("", tmp_path / "pronunciation_coach", URL) == [str(script), "serve", "--port", "8770"]


def test_the_hint_names_the_command_on_its_own_line() -> None:
    hint = launcher.not_running_hint(["/home/me/coach/.venv/bin/python", "-m", "inference_daemon", "serve"])
    assert hint.splitlines()[1] == "or in a terminal: /home/me/coach/.venv/bin/python -m inference_daemon serve"


def test_only_the_started_process_is_stopped(tmp_path: Path) -> None:
    process = launcher.DaemonProcess()
    process.stop()  # nothing started: nothing to do
    process.start([sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"], tmp_path / "d.log")
    assert process.running and process.exit_code() is None
    process.stop()
    assert not process.running
    failing = launcher.DaemonProcess()
    failing.start([sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "d.log")
    failing._process.wait(timeout=10)
    assert failing.exit_code() == 3
