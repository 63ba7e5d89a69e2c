"""Every assessment the learner received, kept where AnkiWeb syncs it, and what the progress view shows of it.

The history lives in the collection's media folder, in files named
``_pronunciation_coach_history-<device>-<YYYY-MM>.json``: media files follow AnkiWeb sync to every
device (the collection's config would too, but Anki sends all of it on every sync and asks add-ons to
keep it to a few kilobytes), the leading ``_`` keeps Check Media from calling them unused, and one
file per device and month means two devices never overwrite each other's entries and a sync uploads
only the current month. Each entry keeps what the progress view needs, not the whole document.
:func:`deck_progress` and :func:`word_tallies` are pure summaries of the entries.

The files are read by every add-on version on every synced device, so the format only grows inside
``document``: each entry keeps exactly the six top-level keys of :class:`HistoryEntry` (older versions
build the entry from them, and an unknown key would make them skip the whole file), and the
sentence-level scores (``fluency``, ``prosody``, ``completeness``) sit in ``document`` beside
``score``, where older versions ignore them. This version in turn ignores top-level keys it does not
know, and entries written before those scores existed simply have none.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_PREFIX = "_pronunciation_coach_history-"
_FILE_NAME = re.compile(r"_pronunciation_coach_history-[A-Za-z0-9]+-\d{4}-\d{2}\.json")


@dataclass(frozen=True)
class HistoryEntry:
    assessed_at: str  # ISO 8601 with time zone
    card_id: int
    note_id: int
    deck_name: str
    recording: str
    document: dict[str, Any]  # at least "score" and the "words" (text, status) that were not ok; see the module

    @property
    def score(self) -> float:
        return float(self.document["score"])

    @property
    def fluency(self) -> float | None:
        return _optional_score(self.document.get("fluency"))

    @property
    def prosody(self) -> float | None:
        return _optional_score(self.document.get("prosody"))

    @property
    def completeness(self) -> float | None:
        return _optional_score(self.document.get("completeness"))

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.assessed_at)

    @property
    def words_needing_work(self) -> list[tuple[str, str]]:
        """(lower-cased word, status) of each word that was not ``ok``."""
        return [(str(word["text"]).lower(), str(word.get("status", "mispronounced")))
                for word in self.document.get("words", ()) if word.get("status") != "ok"]

    def compact(self) -> HistoryEntry:
        """The same entry with only the document's scores and the words needing work (what syncs)."""
        words = [{"text": word["text"], "status": word.get("status")} for word in self.document.get("words", ())
                 if word.get("status") != "ok"]
        scores = {name: value for name in SENTENCE_SCORES if (value := getattr(self, name)) is not None}
        return HistoryEntry(self.assessed_at, self.card_id, self.note_id, self.deck_name, self.recording,
                            {"score": self.score, **scores, "words": words})


#: the document's sentence-level scores that the history keeps beside "score"
SENTENCE_SCORES = ("fluency", "prosody", "completeness")
_ENTRY_KEYS = frozenset(field.name for field in fields(HistoryEntry))


def _optional_score(value: Any) -> float | None:
    """A stored sentence score, or None when absent, null or not a number (a damaged or foreign file)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _entry(data: Any) -> HistoryEntry:
    """An entry from its stored form; top-level keys a newer version may add are left out."""
    if not isinstance(data, dict):
        raise TypeError(f"a history entry is an object, not {type(data).__name__}")
    return HistoryEntry(**{key: value for key, value in data.items() if key in _ENTRY_KEYS})


class AssessmentHistory:
    """This collection's history: read from every device's files in ``media_dir``, written to this device's."""

    def __init__(self, media_dir: Path, device_id: str) -> None:
        self.media_dir = media_dir
        self.device_id = re.sub(r"[^A-Za-z0-9]", "", device_id) or "device"

    def file_for(self, when: datetime) -> Path:
        return self.media_dir / f"{FILE_PREFIX}{self.device_id}-{when:%Y-%m}.json"

    def files(self) -> list[Path]:
        return sorted(path for path in self.media_dir.glob(f"{FILE_PREFIX}*.json") if _FILE_NAME.fullmatch(path.name))

    def append(self, entry: HistoryEntry) -> None:
        self.extend([entry])

    def extend(self, entries: Iterable[HistoryEntry]) -> None:
        by_file: dict[Path, list[HistoryEntry]] = {}
        for entry in entries:
            by_file.setdefault(self.file_for(entry.when), []).append(entry.compact())
        for path, added in by_file.items():
            _write_atomically(path, [asdict(entry) for entry in [*_read(path), *added]])

    def entries(self) -> list[HistoryEntry]:
        """Every device's entries, each once, oldest first."""
        seen: dict[tuple[str, int], HistoryEntry] = {}
        for path in self.files():
            for entry in _read(path):
                seen.setdefault((entry.assessed_at, entry.card_id), entry)
        return sorted(seen.values(), key=lambda entry: entry.when)


def _read(path: Path) -> list[HistoryEntry]:
    if not path.exists():
        return []
    try:
        return [_entry(item) for item in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError) as exc:
        log.warning("skipping unreadable history file %s: %s", path, exc)
        return []


def _write_atomically(path: Path, payload: list[dict[str, Any]]) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".pc-history-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
    os.replace(temporary, path)


def read_legacy_history(path: Path) -> list[HistoryEntry]:
    """The JSON-lines history that earlier versions kept in ``user_files`` (which does not sync)."""
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(_entry(json.loads(line)))
        except (ValueError, TypeError) as exc:
            log.warning("skipping unreadable history line %d of %s: %s", number, path, exc)
    return entries


def migrate_legacy_history(legacy_path: Path, history: AssessmentHistory) -> int:
    """Move the ``user_files`` history into the synced one (once: the old file is renamed); returns how many."""
    entries = read_legacy_history(legacy_path)
    if entries:
        history.extend(entries)
    if legacy_path.exists():
        os.replace(legacy_path, legacy_path.with_suffix(".migrated.jsonl"))
        log.info("moved %d history entries from %s into the collection's media folder", len(entries), legacy_path)
    return len(entries)


def deck_names(entries: Iterable[HistoryEntry]) -> list[str]:
    return sorted({entry.deck_name for entry in entries})


@dataclass(frozen=True)
class ProgressPoint:
    """One assessment as the progress view plots it; fluency and prosody are None where it had none."""

    when: datetime
    accuracy: float
    fluency: float | None
    prosody: float | None


def deck_progress(entries: Iterable[HistoryEntry], deck_name: str | None = None) -> list[ProgressPoint]:
    """Each assessment in ``deck_name`` (all decks when None), oldest first."""
    chosen = [entry for entry in entries if deck_name is None or entry.deck_name == deck_name]
    points = [ProgressPoint(entry.when, entry.score, entry.fluency, entry.prosody) for entry in chosen]
    return sorted(points, key=lambda point: point.when)


def recent_averages(points: list[ProgressPoint], count: int = 5) -> dict[str, float]:
    """Average accuracy, fluency and prosody of the last ``count`` assessments; a score none of them had is
    left out (fluency and prosody are averaged over the assessments that have them)."""
    recent = points[-count:]
    averages = {}
    for name in ("accuracy", "fluency", "prosody"):
        values = [value for point in recent if (value := getattr(point, name)) is not None]
        if values:
            averages[name] = sum(values) / len(values)
    return averages


@dataclass(frozen=True)
class WordTally:
    word: str
    mispronounced: int
    missing: int

    @property
    def total(self) -> int:
        return self.mispronounced + self.missing


def word_tallies(entries: Iterable[HistoryEntry], deck_name: str | None = None, limit: int = 15) -> list[WordTally]:
    """The words most often needing work, mispronounced and skipped counted apart; ties alphabetical."""
    counts: Counter[tuple[str, str]] = Counter()
    for entry in entries:
        if deck_name is None or entry.deck_name == deck_name:
            counts.update(entry.words_needing_work)
    words = {word for word, _ in counts}
    tallies = [WordTally(word, counts[(word, "mispronounced")], counts[(word, "missing")]) for word in words]
    return sorted(tallies, key=lambda tally: (-tally.total, tally.word))[:limit]


def most_mispronounced(entries: Iterable[HistoryEntry], deck_name: str | None = None,
                       limit: int = 15) -> list[tuple[str, int]]:
    """The words most often mispronounced (skipped words are not counted), with how often."""
    tallies = [tally for tally in word_tallies(entries, deck_name, limit=10_000) if tally.mispronounced]
    ranked = sorted(tallies, key=lambda tally: (-tally.mispronounced, tally.word))[:limit]
    return [(tally.word, tally.mispronounced) for tally in ranked]
