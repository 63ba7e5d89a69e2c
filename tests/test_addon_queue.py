"""The retry queue survives restarts and damage; the history summarises progress per deck."""

from __future__ import annotations

import json
from dataclasses import asdict
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
    assert [score for _, score in history.deck_progress(entries, "English")] == [50, 70]
    assert len(history.deck_progress(entries)) == 3
    assert history.most_mispronounced(entries) == [("think", 3)], "a skipped word is not a mispronounced one"
    tallies = history.word_tallies(entries, "English")
    assert [(t.word, t.mispronounced, t.missing) for t in tallies] == [("so", 0, 2), ("think", 2, 0)]


def test_each_profile_gets_its_own_safe_folder(tmp_path: Path) -> None:
    first = storage.profile_dir(tmp_path, "User 1")
    other = storage.profile_dir(tmp_path, "User/1")
    assert first != other
    assert first.parent == tmp_path / "profiles" and "/" not in first.name and first.name.startswith("User_1-")
