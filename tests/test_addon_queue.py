"""The retry queue survives restarts and damage; the history summarises progress per deck."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.anki_support.addon_import import addon_module
from tests.anki_support.documents import daemon_document

queue_store = addon_module("queue_store")
history = addon_module("history")
storage = addon_module("storage")


def test_queued_recordings_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    queue = queue_store.RecordingQueue(path)
    first = queue_store.new_recording(1, 10, "a.wav", "I think so.")
    second = queue_store.new_recording(2, 20, "b.wav", "We can see.")
    queue.add(first)
    queue.add(second)
    queue.record_failure(first.id, "the daemon is not running")

    reopened = queue_store.RecordingQueue(path)
    assert [item.media_file for item in reopened.items()] == ["a.wav", "b.wav"]
    assert reopened.get(first.id).attempts == 1
    assert reopened.get(first.id).last_error == "the daemon is not running"

    reopened.remove(first.id)
    assert [item.id for item in queue_store.RecordingQueue(path).items()] == [second.id]
    assert [p.name for p in tmp_path.iterdir()] == ["queue.json"], "no temporary files are left behind"


def test_an_unreadable_queue_file_is_kept_aside_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    path.write_text("[{not json", encoding="utf-8")
    queue = queue_store.RecordingQueue(path)
    assert len(queue) == 0
    assert (tmp_path / "queue.broken.json").read_text(encoding="utf-8") == "[{not json"


def entry(when: str, deck: str, **changes: object) -> Any:
    return history.HistoryEntry(assessed_at=when, card_id=1, note_id=2, deck_name=deck, recording="r.wav",
                                document=daemon_document(**changes))


def test_history_is_kept_in_the_media_folder_compact_and_read_back(tmp_path: Path) -> None:
    store = history.AssessmentHistory(tmp_path, "devA")
    assert store.entries() == []
    store.append(entry("2026-03-01T10:00:00+00:00", "English", score=50))
    store.append(entry("2026-04-02T10:00:00+00:00", "English", score=70))
    assert [path.name for path in store.files()] == ["_pronunciation_coach_history-devA-2026-03.json",
                                                     "_pronunciation_coach_history-devA-2026-04.json"]
    assert [e.score for e in store.entries()] == [50, 70]
    saved = store.entries()[0].document
    assert saved == {"score": 50.0, "words": [{"text": "think", "status": "mispronounced"},
                                              {"text": "so", "status": "missing"}]}, "only what the view needs"


def test_two_devices_histories_merge_without_overwriting_each_other(tmp_path: Path) -> None:
    """What AnkiWeb's media sync does: both devices' files end up in each media folder."""
    laptop, phone = history.AssessmentHistory(tmp_path, "laptop"), history.AssessmentHistory(tmp_path, "phone")
    laptop.append(entry("2026-03-01T10:00:00+00:00", "English", score=50))
    phone.append(entry("2026-03-01T11:00:00+00:00", "English", score=60))
    laptop.append(entry("2026-03-01T12:00:00+00:00", "English", score=70))
    assert [e.score for e in laptop.entries()] == [50, 60, 70] == [e.score for e in phone.entries()]
    (tmp_path / "_pronunciation_coach_history-phone-2026-02.json").write_text("{broken", encoding="utf-8")
    assert len(laptop.entries()) == 3, "an unreadable file is skipped"


def test_the_user_files_history_is_migrated_once(tmp_path: Path) -> None:
    legacy = tmp_path / "profile" / "history.jsonl"
    legacy.parent.mkdir()
    lines = [json.dumps(asdict(entry(f"2026-03-0{day}T10:00:00+00:00", "English", score=40 + day)))
             for day in (1, 2)]
    legacy.write_text("\n".join([*lines, "garbage"]) + "\n", encoding="utf-8")
    media = tmp_path / "media"
    media.mkdir()
    synced = history.AssessmentHistory(media, "devA")
    assert history.migrate_legacy_history(legacy, synced) == 2
    assert [e.score for e in synced.entries()] == [41, 42]
    assert not legacy.exists() and legacy.with_suffix(".migrated.jsonl").exists()
    assert history.migrate_legacy_history(legacy, synced) == 0 and len(synced.entries()) == 2


def test_progress_per_deck_and_words_needing_work() -> None:
    entries = [
        entry("2026-03-02T10:00:00+00:00", "English", score=70),
        entry("2026-03-01T10:00:00+00:00", "English", score=50),
        entry("2026-03-01T12:00:00+00:00", "Travel", score=90),
    ]
    assert history.deck_names(entries) == ["English", "Travel"]
    assert [point.accuracy for point in history.deck_progress(entries, "English")] == [50, 70]
    assert len(history.deck_progress(entries)) == 3
    assert history.most_mispronounced(entries) == [("think", 3)], "a skipped word is not a mispronounced one"
    tallies = history.word_tallies(entries, "English")
    assert [(t.word, t.mispronounced, t.missing) for t in tallies] == [("so", 0, 2), ("think", 2, 0)]


def test_each_profile_gets_its_own_safe_folder(tmp_path: Path) -> None:
    first = storage.profile_dir(tmp_path, "User 1")
    other = storage.profile_dir(tmp_path, "User/1")
    assert first != other
    assert first.parent == tmp_path / "profiles" and "/" not in first.name and first.name.startswith("User_1-")


def test_sentence_scores_are_kept_in_the_synced_history(tmp_path: Path) -> None:
    store = history.AssessmentHistory(tmp_path, "devA")
    store.append(entry("2026-03-01T10:00:00+00:00", "English", score=50, fluency=41.5, prosody=62,
                       completeness=67))
    store.append(entry("2026-03-02T10:00:00+00:00", "English", score=60, fluency=None, prosody=None))
    first, second = history.AssessmentHistory(tmp_path, "devB").entries()
    assert (first.fluency, first.prosody, first.completeness) == (41.5, 62.0, 67.0)
    assert (second.fluency, second.prosody, second.completeness) == (None, None, None)
    assert set(second.document) == {"score", "words"}, "a null score is not stored at all"


# What an add-on from before the sentence scores does with a history file (its whole reader): every
# item becomes HistoryEntry(**item), then float(document["score"]) and the words that were not ok.
@dataclass(frozen=True)
class OlderHistoryEntry:
    assessed_at: str
    card_id: int
    note_id: int
    deck_name: str
    recording: str
    document: dict[str, Any]


def test_files_with_sentence_scores_stay_readable_by_older_addon_versions(tmp_path: Path) -> None:
    store = history.AssessmentHistory(tmp_path, "devA")
    store.append(entry("2026-03-01T10:00:00+00:00", "English", score=50, fluency=41.5, prosody=62))
    [path] = store.files()
    older = [OlderHistoryEntry(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
    assert float(older[0].document["score"]) == 50
    assert [word["text"] for word in older[0].document["words"] if word.get("status") != "ok"] == ["think", "so"]


def test_older_entries_without_sentence_scores_and_newer_ones_with_more_fields_load(tmp_path: Path) -> None:
    written_before = {"assessed_at": "2026-02-01T10:00:00+00:00", "card_id": 1, "note_id": 2, "deck_name": "English",
                      "recording": "r.mp3", "document": {"score": 55.0, "words": []}}
    written_later = {**written_before, "assessed_at": "2026-02-02T10:00:00+00:00", "speaker": "me",
                     "document": {"score": 65.0, "fluency": 70, "prosody": "n/a", "words": [], "pace": 3.1}}
    (tmp_path / "_pronunciation_coach_history-phone-2026-02.json").write_text(
        json.dumps([written_before, written_later]), encoding="utf-8")
    before, later = history.AssessmentHistory(tmp_path, "devA").entries()
    assert (before.score, before.fluency, before.prosody) == (55, None, None)
    assert (later.score, later.fluency, later.prosody) == (65, 70.0, None), "an unreadable score is no score"
    points = history.deck_progress([before, later], "English")
    assert [(p.accuracy, p.fluency, p.prosody) for p in points] == [(55, None, None), (65, 70.0, None)]


def test_recent_averages_skip_assessments_without_a_score() -> None:
    entries = [entry(f"2026-03-0{day}T10:00:00+00:00", "English", score=10 * day,
                     fluency=(50 + day if day % 2 else None), prosody=None) for day in range(1, 8)]
    averages = history.recent_averages(history.deck_progress(entries), count=5)
    assert averages == {"accuracy": 50.0, "fluency": 55.0}, "days 3-7; fluency from days 3, 5 and 7"
