"""The add-on's changes to a real Anki collection: note type, recording link, feedback with tag, undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.decks import DeckId
from anki.notes import NoteId

from tests.anki_support.addon_import import addon_module
from tests.anki_support.collection import temporary_collection

note_type = addon_module("note_type")
note_writes = addon_module("note_writes")
assessment_flow = addon_module("assessment_flow")


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    with temporary_collection(tmp_path) as collection:
        yield collection


def deck(col: Collection, name: str) -> DeckId:
    deck_id = col.decks.id(name)
    assert deck_id is not None
    return deck_id


def add_practice_note(col: Collection, sentence: str = "I think so.") -> NoteId:
    notetype = note_type.ensure_practice_note_type(col)
    note = col.new_note(notetype)
    note["Sentence"] = sentence
    col.add_note(note, deck(col, "Practice"))
    return note.id


def test_practice_note_type_is_created_once_with_its_fields_and_card(col: Collection) -> None:
    created = note_type.ensure_practice_note_type(col)
    again = note_type.ensure_practice_note_type(col)
    assert created["id"] == again["id"]
    assert col.models.field_names(created) == list(note_type.PRACTICE_FIELDS)
    template = created["tmpls"][0]
    assert "{{Sentence}}" in template["qfmt"] and "pc-controls-slot" in template["qfmt"]
    assert "{{Feedback}}" in template["afmt"] and "{{Feedback}}" not in template["qfmt"]
    assert ".nightMode .pc-feedback" in created["css"]


def test_feedback_and_tag_are_one_undoable_step(col: Collection) -> None:
    note_id = add_practice_note(col)
    note_writes.write_feedback(col, note_id, "Feedback", "<div>bad</div>", needs_work=True)
    note = col.get_note(note_id)
    assert note["Feedback"] == "<div>bad</div>" and note_writes.NEEDS_WORK_TAG in note.tags
    assert col.undo_status().undo == "Pronunciation feedback"

    col.undo()
    note = col.get_note(note_id)
    assert note["Feedback"] == "" and note.tags == []


def test_a_clean_reading_removes_the_tag(col: Collection) -> None:
    note_id = add_practice_note(col)
    note_writes.write_feedback(col, note_id, "Feedback", "<div>bad</div>", needs_work=True)
    note_writes.write_feedback(col, note_id, "Feedback", "<div>good</div>", needs_work=False)
    assert note_writes.NEEDS_WORK_TAG not in col.get_note(note_id).tags


def test_notes_without_a_feedback_field_still_get_the_tag(col: Collection) -> None:
    basic = col.models.by_name("Basic")
    assert basic is not None
    note = col.new_note(basic)
    note["Front"] = "I think so."
    col.add_note(note, deck(col, "Default"))
    note_writes.write_feedback(col, note.id, None, "<div></div>", needs_work=True)
    assert col.get_note(note.id).tags == [note_writes.NEEDS_WORK_TAG]


def test_recording_is_linked_as_a_sound(col: Collection) -> None:
    note_id = add_practice_note(col)
    note_writes.attach_recording(col, note_id, "Recording", "pronunciation_coach_1.wav")
    assert col.get_note(note_id)["Recording"] == "[sound:pronunciation_coach_1.wav]"


def test_fields_are_found_whatever_their_case(col: Collection) -> None:
    note = col.get_note(add_practice_note(col))
    assert note_type.matching_field(note, "sentence") == "Sentence"
    assert note_type.matching_field(note, "reference audio") == "Reference Audio"
    assert note_type.matching_field(note, "Word") is None


def test_the_sentence_sent_is_the_text_without_markup_or_sounds() -> None:
    assert assessment_flow.field_text("<b>I</b> think&nbsp;so. [sound:ref.mp3]<br>") == "I think so."
    # Lines of the field (Enter makes a <div>, Shift+Enter a <br>) stay separate words.
    assert assessment_flow.field_text("<div>I</div><div>think</div>so") == "I think so"
    assert assessment_flow.field_text("I<br>think so.") == "I think so."


def test_a_replaced_recording_goes_to_the_media_trash_unless_still_needed(col: Collection) -> None:
    note_id = add_practice_note(col)
    media = Path(col.media.dir())
    names = [col.media.write_data(f"pronunciation_coach_{note_id}_{n}.mp3", b"ID3" + bytes([n]) * 64)
             for n in range(4)]
    note_writes.attach_recording(col, note_id, "Recording", names[0])
    note_writes.attach_recording(col, note_id, "Recording", names[1])
    assert not (media / names[0]).exists(), "the replaced recording left the media folder (Check Media can restore)"
    assert col.get_note(note_id)["Recording"] == f"[sound:{names[1]}]"

    note_writes.attach_recording(col, note_id, "Recording", names[2], keep={names[1]})
    assert (media / names[1]).exists(), "a recording still queued for the daemon is kept"

    other = col.get_note(add_practice_note(col, "Another sentence."))
    other["Recording"] = f"[sound:{names[2]}]"
    col.update_note(other)
    note_writes.attach_recording(col, note_id, "Recording", names[3])
    assert (media / names[2]).exists(), "a recording another note links is kept"


def test_recordings_and_reference_audio_are_stored_as_mp3(tmp_path: Path) -> None:
    import soundfile

    espeak_wav = pytest.importorskip("tests.support.audio_files").espeak_wav
    compression = addon_module("audio_compression")
    if compression.encoder_name() is None:
        pytest.skip("neither lame nor ffmpeg is installed")
    wav = espeak_wav("I think we should leave early.", tmp_path / "voice.wav")
    audio, extension = compression.compressed_bytes(wav)
    assert extension == "mp3"
    assert audio[:3] == b"ID3" or audio[:2] in (b"\xff\xfb", b"\xff\xf3")
    assert len(audio) < wav.stat().st_size / 3
    (tmp_path / "voice.mp3").write_bytes(audio)
    samples, rate = soundfile.read(tmp_path / "voice.mp3")
    assert abs(len(samples) / rate - soundfile.info(wav).duration) < 0.2, "the MP3 holds the whole reading"
