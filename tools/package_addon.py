"""Build the installable add-on: ``DIR/pronunciation_coach.ankiaddon`` from ``addon/`` and ``manifest.json``.

An ``.ankiaddon`` is a zip of the add-on folder's contents (not the folder), with ``manifest.json``,
``config.json`` and ``config.md`` at its root and without caches or the learner's ``user_files``.

    python tools/package_addon.py              # dist/pronunciation_coach.ankiaddon
    python tools/package_addon.py --out /tmp/build
"""

from __future__ import annotations

import argparse
import json
import logging
import zipfile
from pathlib import Path

from tqdm import tqdm

REPO_ROOT = Path(__file__).resolve().parents[1]
ADDON_DIR = REPO_ROOT / "addon"
MANIFEST = REPO_ROOT / "manifest.json"
#: shipped at the archive's root beside the add-on's code: the licence and the third-party credits
LEGAL_FILES = (REPO_ROOT / "LICENSE", REPO_ROOT / "THIRD_PARTY_NOTICES.md")
EXCLUDED_PARTS = frozenset({"__pycache__", "user_files", ".mypy_cache", ".ruff_cache"})
EXCLUDED_NAMES = frozenset({"meta.json", ".DS_Store"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")

log = logging.getLogger("package_addon")


def addon_files(addon_dir: Path = ADDON_DIR) -> list[Path]:
    """The files that ship, relative to ``addon_dir``, sorted so that builds are reproducible."""
    return sorted(
        path.relative_to(addon_dir) for path in addon_dir.rglob("*")
        if path.is_file()
        and not EXCLUDED_PARTS.intersection(path.relative_to(addon_dir).parts)
        and path.name not in EXCLUDED_NAMES
        and not path.name.endswith(EXCLUDED_SUFFIXES)
    )


def build(out_dir: Path, addon_dir: Path = ADDON_DIR, manifest_path: Path = MANIFEST) -> Path:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for required in ("package", "name"):
        if not manifest.get(required):
            raise ValueError(f"{manifest_path} lacks '{required}'")
    for required in ("__init__.py", "config.json", "config.md"):
        if not (addon_dir / required).is_file():
            raise FileNotFoundError(f"{addon_dir / required} is missing")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{manifest['package']}.ankiaddon"
    files = addon_files(addon_dir)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        for legal in LEGAL_FILES:
            archive.write(legal, legal.name)
        for relative in tqdm(files, desc="packaging", unit="file"):
            archive.write(addon_dir / relative, relative.as_posix())
    log.info("wrote %s (%d files)", target, len(files) + 1 + len(LEGAL_FILES))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dist", help="output folder (default: dist/)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(build(args.out))


if __name__ == "__main__":
    main()
