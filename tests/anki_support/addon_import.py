"""Import the add-on from ``addon/`` under its installed package name, as Anki does."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
ADDON_DIR = REPO_ROOT / "addon"
ADDON_PACKAGE = "pronunciation_coach"


def addon_module(name: str = "") -> ModuleType:
    """``addon_module("render")`` is ``pronunciation_coach.render``, loaded from ``addon/``."""
    if ADDON_PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            ADDON_PACKAGE, ADDON_DIR / "__init__.py", submodule_search_locations=[str(ADDON_DIR)])
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[ADDON_PACKAGE] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{ADDON_PACKAGE}.{name}" if name else ADDON_PACKAGE)
