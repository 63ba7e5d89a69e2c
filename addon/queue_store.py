"""The persistent queue of recordings not yet assessed, so a daemon that is down loses nothing.

One JSON file per profile under the add-on's ``user_files`` (kept across add-on upgrades). A
recording enters the queue as soon as it is saved to the collection's media folder and leaves it
when its feedback is on the note, or when the daemon refuses it for good (silence, too long).
Written atomically: a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedRecording:
    id: str
    card_id: int
    note_id: int
    media_file: str
    sentence: str
    created_at: str
    attempts: int = 0
    last_error: str | None = None


def new_recording(card_id: int, note_id: int, media_file: str, sentence: str) -> QueuedRecording:
    return QueuedRecording(
        id=uuid.uuid4().hex, card_id=card_id, note_id=note_id, media_file=media_file, sentence=sentence,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


class RecordingQueue:
    """Recordings waiting for the daemon, oldest first, stored in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._items: dict[str, QueuedRecording] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            self._items = {entry["id"]: QueuedRecording(**entry) for entry in entries}
        except (OSError, ValueError, TypeError, KeyError) as exc:
            broken = self.path.with_suffix(".broken.json")
            log.error("queue file %s is unreadable (%s); moved aside to %s", self.path, exc, broken)
            os.replace(self.path, broken)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps([asdict(item) for item in self._items.values()], indent=1)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".queue-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[QueuedRecording]:
        return list(self._items.values())

    def get(self, recording_id: str) -> QueuedRecording | None:
        return self._items.get(recording_id)

    def add(self, item: QueuedRecording) -> None:
        self._items[item.id] = item
        self._save()

    def record_failure(self, recording_id: str, message: str) -> None:
        if item := self._items.get(recording_id):
            self._items[recording_id] = replace(item, attempts=item.attempts + 1, last_error=message)
            self._save()

    def remove(self, recording_id: str) -> None:
        if self._items.pop(recording_id, None) is not None:
            self._save()
