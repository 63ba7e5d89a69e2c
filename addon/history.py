"""Every assessment the learner received, kept with its date, and what the progress view shows of it.

One JSON-lines file per profile under ``user_files`` holds the full feedback documents (the Feedback
field only keeps the latest rendering). :func:`deck_progress` and :func:`most_mispronounced` are pure
summaries of those entries.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HistoryEntry:
    assessed_at: str  # ISO 8601 with time zone
    card_id: int
    note_id: int
    deck_name: str
    recording: str
    document: dict[str, Any]

    @property
    def score(self) -> float:
        return float(self.document["score"])

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.assessed_at)


class AssessmentHistory:
    """Append-only store in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: HistoryEntry) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")

    def entries(self) -> list[HistoryEntry]:
        if not self.path.exists():
            return []
        entries = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entries.append(HistoryEntry(**json.loads(line)))
            except (ValueError, TypeError) as exc:
                log.warning("skipping unreadable history line %d of %s: %s", number, self.path, exc)
        return entries


def deck_names(entries: Iterable[HistoryEntry]) -> list[str]:
    return sorted({entry.deck_name for entry in entries})


def deck_progress(entries: Iterable[HistoryEntry], deck_name: str | None = None) -> list[tuple[datetime, float]]:
    """(date, score) of each assessment in ``deck_name`` (all decks when None), oldest first."""
    chosen = [entry for entry in entries if deck_name is None or entry.deck_name == deck_name]
    return sorted((entry.when, entry.score) for entry in chosen)


def most_mispronounced(entries: Iterable[HistoryEntry], deck_name: str | None = None,
                       limit: int = 15) -> list[tuple[str, int]]:
    """The words most often not ``ok``, lower-cased, with how often; ties in alphabetical order."""
    counts: Counter[str] = Counter()
    for entry in entries:
        if deck_name is None or entry.deck_name == deck_name:
            counts.update(word["text"].lower() for word in entry.document.get("words", ())
                          if word.get("status") != "ok")
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
