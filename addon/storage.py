"""Where the add-on keeps per-profile files: ``user_files/profiles/<profile>/`` (kept across upgrades).

Add-ons are shared by all Anki profiles, so each profile's queue and history get their own folder.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

QUEUE_FILE = "queue.json"
HISTORY_FILE = "history.jsonl"


def profile_dir(user_files: Path, profile_name: str) -> Path:
    """A folder name that is safe on every file system yet readable: ``User_1-3f2a9c``."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", profile_name).strip("._")[:40] or "profile"
    digest = hashlib.sha1(profile_name.encode("utf-8")).hexdigest()[:6]
    return user_files / "profiles" / f"{readable}-{digest}"
