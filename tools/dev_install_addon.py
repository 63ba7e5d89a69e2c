"""Link the working copy's ``addon/`` into an Anki profile folder, so Anki runs the code being edited.

Anki loads every folder in ``<base>/addons21``; this puts a symbolic link named after the
manifest's package there. Restart Anki after changing the code.

    python tools/dev_install_addon.py                      # ~/.local/share/Anki2 (Linux default)
    python tools/dev_install_addon.py --base ~/anki-dev    # the folder given to anki -b
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ADDON_DIR = REPO_ROOT / "addon"

log = logging.getLogger("dev_install_addon")


def default_base() -> Path:
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "Anki2"


def package_name() -> str:
    return str(json.loads((REPO_ROOT / "manifest.json").read_text(encoding="utf-8"))["package"])


def link_addon(base: Path, addon_dir: Path = ADDON_DIR) -> Path:
    """Create ``base/addons21/<package>`` → ``addon_dir``; refuses to replace a real folder."""
    target = base / "addons21" / package_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    elif target.exists():
        raise FileExistsError(f"{target} exists and is not a link; remove the installed add-on first")
    target.symlink_to(addon_dir.resolve(), target_is_directory=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=default_base(), help="Anki's base folder (anki -b)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    link = link_addon(args.base)
    log.info("linked %s -> %s; restart Anki to load it", link, ADDON_DIR)


if __name__ == "__main__":
    main()
