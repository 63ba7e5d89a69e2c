"""Where the add-on keeps per-profile files: ``user_files/profiles/<profile>/`` (kept across upgrades).

Add-ons are shared by all Anki profiles, so each profile's queue and history get their own folder.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

QUEUE_FILE = "queue.json"
#: where versions before the synced history kept it (migrated on first open)
HISTORY_FILE = "history.jsonl"
DEVICE_ID_FILE = "device_id"


def profile_dir(user_files: Path, profile_name: str) -> Path:
    """A folder name that is safe on every file system yet readable: ``User_1-3f2a9c``."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", profile_name).strip("._")[:40] or "profile"
    digest = hashlib.sha1(profile_name.encode("utf-8")).hexdigest()[:6]
    return user_files / "profiles" / f"{readable}-{digest}"


def device_id(store_dir: Path) -> str:
    """A random id for this profile on this computer (made once), naming its synced history files."""
    path = store_dir / DEVICE_ID_FILE
    if path.exists() and (existing := path.read_text(encoding="utf-8").strip()):
        return existing
    store_dir.mkdir(parents=True, exist_ok=True)
    made = uuid.uuid4().hex[:12]
    path.write_text(made, encoding="utf-8")
    return made
