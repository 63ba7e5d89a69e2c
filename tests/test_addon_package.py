"""The packaged add-on installs into a fresh Anki and works; the development link points at the code."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.anki_support.addon_import import ADDON_DIR, ADDON_PACKAGE, REPO_ROOT
from tools import dev_install_addon, package_addon


def run_check(*args: str) -> dict[str, Any]:
    completed = subprocess.run([sys.executable, "-m", "tests.anki_support.packaged_addon_check", *args],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return package_addon.build(tmp_path_factory.mktemp("dist"))


def test_archive_has_the_addon_contents_at_its_root(built: Path) -> None:
    assert built.name == f"{ADDON_PACKAGE}.ankiaddon"
    with zipfile.ZipFile(built) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert {"manifest.json", "config.json", "config.md", "__init__.py", "feedback_schema.json",
            "LICENSE", "THIRD_PARTY_NOTICES.md"} <= set(names)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc") or "user_files" in name]
    assert manifest["package"] == ADDON_PACKAGE and manifest["name"] == "Pronunciation Coach"
    expected = {path.relative_to(ADDON_DIR).as_posix() for path in ADDON_DIR.rglob("*.py")
                if "__pycache__" not in path.parts}
    assert expected <= set(names)


def test_the_licence_and_the_third_party_credits_ship_with_the_addon(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        licence = archive.read("LICENSE").decode()
        notices = archive.read("THIRD_PARTY_NOTICES.md").decode()
    assert licence.startswith("MIT License") and licence == (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    for credited in ("PocketSphinx", "CMUdict", "speechocean762", "espeak-ng", "Whisper", "CC BY 4.0"):
        assert credited in notices


@pytest.mark.e2e
def test_packaged_addon_installs_into_a_fresh_profile_and_loads(built: Path, tmp_path: Path) -> None:
    installed = run_check("install", str(tmp_path), str(built))
    assert installed == {"installed": True, "name": "Pronunciation Coach", "error": None}

    loaded = run_check("inspect", str(tmp_path))
    assert loaded["loaded_from"] == str(tmp_path / "addons21" / ADDON_PACKAGE / "__init__.py")
    assert loaded["config"] == json.loads((ADDON_DIR / "config.json").read_text(encoding="utf-8"))
    assert loaded["shortcut"] == "Ctrl+Shift+R"
    assert "Pronunciation Coach" in loaded["tools_menu"]
    assert not loaded["note_type"], "the note type waits until the learner adds sentences"
    assert loaded["errors"] == []


def test_development_install_links_the_working_copy(tmp_path: Path) -> None:
    link = dev_install_addon.link_addon(tmp_path)
    assert link == tmp_path / "addons21" / ADDON_PACKAGE
    assert link.is_symlink() and link.resolve() == ADDON_DIR.resolve()
    assert dev_install_addon.link_addon(tmp_path) == link, "linking again replaces the old link"
    link.unlink()
    link.mkdir()
    with pytest.raises(FileExistsError):
        dev_install_addon.link_addon(tmp_path)
