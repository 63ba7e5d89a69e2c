"""The retry queue survives restarts and damage; the history summarises progress per deck."""

from __future__ import annotations

from pathlib import Path

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


def entry(when: str, deck: str, **changes: object) -> object:
    return history.HistoryEntry(assessed_at=when, card_id=1, note_id=2, deck_name=deck, recording="r.wav",
                                document=daemon_document(**changes))


def test_history_is_appended_and_read_back(tmp_path: Path) -> None:
    store = history.AssessmentHistory(tmp_path / "h" / "history.jsonl")
    assert store.entries() == []
    store.append(entry("2026-03-01T10:00:00+00:00", "English", score=50))
    store.append(entry("2026-03-02T10:00:00+00:00", "English", score=70))
    with store.path.open("a", encoding="utf-8") as handle:
        handle.write("garbage\n")
    assert [e.score for e in store.entries()] == [50, 70]


def test_progress_per_deck_and_most_mispronounced_words() -> None:
    entries = [
        entry("2026-03-02T10:00:00+00:00", "English", score=70),
        entry("2026-03-01T10:00:00+00:00", "English", score=50),
        entry("2026-03-01T12:00:00+00:00", "Travel", score=90),
    ]
    assert history.deck_names(entries) == ["English", "Travel"]
    assert [score for _, score in history.deck_progress(entries, "English")] == [50, 70]
    assert len(history.deck_progress(entries)) == 3
    assert history.most_mispronounced(entries) == [("so", 3), ("think", 3)]
    assert history.most_mispronounced(entries, "Travel", limit=1) == [("so", 1)]


def test_each_profile_gets_its_own_safe_folder(tmp_path: Path) -> None:
    first = storage.profile_dir(tmp_path, "User 1")
    other = storage.profile_dir(tmp_path, "User/1")
    assert first != other
    assert first.parent == tmp_path / "profiles" and "/" not in first.name and first.name.startswith("User_1-")
