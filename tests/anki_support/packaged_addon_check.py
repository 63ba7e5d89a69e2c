"""Install a built ``.ankiaddon`` into a fresh Anki, or start that Anki again and report what loaded.

Run as a separate process (one Anki per process):

    python -m tests.anki_support.packaged_addon_check install BASE FILE.ankiaddon
    python -m tests.anki_support.packaged_addon_check inspect BASE

It prints one JSON line: the install result, or the loaded add-on's config, menu and note type.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tests.anki_support.addon_import import ADDON_PACKAGE
from tests.anki_support.main_window import AnkiSession, running_anki


def install(session: AnkiSession, addon_file: Path) -> dict[str, Any]:
    from aqt.addons import InstallOk

    result = session.mw.addonManager.install(str(addon_file))
    return {"installed": isinstance(result, InstallOk), "name": getattr(result, "name", None),
            "error": getattr(result, "errmsg", None)}


def inspect(session: AnkiSession) -> dict[str, Any]:
    mw = session.mw
    menus = [action.text() for action in mw.form.menuTools.actions()]
    module = sys.modules.get(ADDON_PACKAGE)
    return {
        "loaded_from": getattr(module, "__file__", None),
        "config": mw.addonManager.getConfig(ADDON_PACKAGE),
        "shortcut": module.coach.config().shortcut if module else None,
        "tools_menu": menus,
        "note_type": mw.col.models.by_name("Pronunciation Practice") is not None,
        "errors": session.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["install", "inspect"])
    parser.add_argument("base", type=Path)
    parser.add_argument("addon_file", type=Path, nargs="?")
    args = parser.parse_args()
    with running_anki(args.base) as session:
        report = install(session, args.addon_file) if args.step == "install" else inspect(session)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
