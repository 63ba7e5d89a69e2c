"""Importing sentences into real Anki collections: notes, duplicates, undo, reference audio, starter deck, .apkg."""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.notes import Note, NoteId

from tools import make_deck
from tools.make_deck import addon_module

source = addon_module("authoring.sentence_source")
rules = addon_module("authoring.import_rules")
importer = addon_module("authoring.importer")
reference_audio = addon_module("authoring.reference_audio")
starter_deck = addon_module("authoring.starter_deck")
note_type = addon_module("note_type")

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
STARTER_CONTRASTS = {"th-s-t", "r-l", "v-w-b", "long-short-vowels", "final-consonants", "consonant-clusters",
                     "word-stress"}


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


def rows_of(*sentences: str) -> list:
    return [rules.SourceRow(number, sentence) for number, sentence in enumerate(sentences, 1)]


def note_type_name(note: Note) -> str:
    notetype = note.note_type()
    assert notetype is not None
    return str(notetype["name"])


def deck_sentences(col: Collection, deck_name: str) -> list[str]:
    return sorted(col.get_note(nid)["Sentence"] for nid in col.find_notes(f'"deck:{deck_name}"'))


def test_sentence_file_becomes_practice_notes_with_fields_and_tags(col: Collection, tmp_path: Path) -> None:
    path = tmp_path / "phrases.csv"
    text = "Sentence,Translation,Tags\r\nIs 3 < 5?,¿Es 3 < 5?,maths\r\nThe café is open.,El café está abierto.,food\r\n"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    report = importer.import_rows(col, source.read_rows(path), importer.ImportOptions("Spanish::Phrases",
                                                                                      extra_tags=("mine",)))
    assert report.added == 2
    notes = [col.get_note(nid) for nid in report.added_note_ids]
    assert [note_type_name(note) for note in notes] == [note_type.PRACTICE_NOTE_TYPE] * 2
    assert notes[0]["Sentence"] == "Is 3 &lt; 5?"
    assert notes[0]["Translation"] == "¿Es 3 &lt; 5?"
    assert notes[0].tags == ["maths", "mine"]
    assert notes[1]["Sentence"] == "The café is open."
    assert notes[1]["Reference Audio"] == ""
    assert {col.decks.name(card.did) for note in notes for card in note.cards()} == {"Spanish::Phrases"}


def test_bad_lines_are_reported_and_duplicates_in_the_deck_skipped(col: Collection) -> None:
    first = importer.import_rows(col, rows_of("I think so.", "Is 3 < 5?"), importer.ImportOptions("Deck"))
    assert first.added == 2
    second = importer.import_rows(
        col,
        rows_of("i THINK  so.", "", "?!", "Is 3 < 5?", "x " * 200, "She sells sea shells.", "she sells sea shells."),
        importer.ImportOptions("Deck"),
    )
    assert second.added == 1
    assert [row.line_number for row in second.duplicates] == [1, 4, 7]
    assert [(item.row.line_number, item.reason) for item in second.rejected] == [
        (2, rules.RejectReason.EMPTY),
        (3, rules.RejectReason.NO_PRONOUNCEABLE_WORD),
        (5, rules.RejectReason.TOO_LONG),
    ]
    assert "line 5: longer than 300 characters" in second.summary()
    assert deck_sentences(col, "Deck") == ["I think so.", "Is 3 &lt; 5?", "She sells sea shells."]


def test_same_sentence_in_another_deck_is_not_a_duplicate(col: Collection) -> None:
    importer.import_rows(col, rows_of("Good morning."), importer.ImportOptions("One"))
    report = importer.import_rows(col, rows_of("Good morning."), importer.ImportOptions("Two"))
    assert report.added == 1


def test_notes_of_other_types_with_a_sentence_field_count_as_duplicates(col: Collection) -> None:
    basic = col.models.by_name("Basic")
    assert basic is not None
    col.models.rename_field(basic, basic["flds"][0], "Sentence")
    col.models.update_dict(basic)
    note = col.new_note(basic)
    note["Sentence"] = "<b>Good</b>&nbsp;morning."
    deck_id = col.decks.id("Mixed")
    assert deck_id is not None
    col.add_note(note, deck_id)
    report = importer.import_rows(col, rows_of("good morning."), importer.ImportOptions("Mixed"))
    assert report.added == 0
    assert len(report.duplicates) == 1


def test_preview_changes_nothing(col: Collection) -> None:
    before = (col.note_count(), col.decks.all_names_and_ids(), col.models.all_names_and_ids())
    plan = importer.preview_import(col, rows_of("New sentence.", ""), "Not yet a deck")
    assert len(plan.to_add) == 1
    assert len(plan.rejected) == 1
    assert (col.note_count(), col.decks.all_names_and_ids(), col.models.all_names_and_ids()) == before


def test_one_undo_removes_the_whole_import_with_its_deck_and_note_type(col: Collection) -> None:
    before = (col.note_count(), sorted(d.name for d in col.decks.all_names_and_ids()),
              sorted(m.name for m in col.models.all_names_and_ids()))
    report = importer.import_rows(col, rows_of("One.", "Two.", "Three."), importer.ImportOptions("Fresh::Deck"))
    assert report.added == 3
    assert col.undo_status().undo == "Import 3 pronunciation sentences"
    col.undo()
    after = (col.note_count(), sorted(d.name for d in col.decks.all_names_and_ids()),
             sorted(m.name for m in col.models.all_names_and_ids()))
    assert after == before
    assert col.undo_status().redo == "Import 3 pronunciation sentences"


def test_undo_of_a_second_import_keeps_the_first(col: Collection) -> None:
    importer.import_rows(col, rows_of("Kept."), importer.ImportOptions("Deck"))
    importer.import_rows(col, rows_of("Undone one.", "Undone two."), importer.ImportOptions("Deck"))
    col.undo()
    assert deck_sentences(col, "Deck") == ["Kept."]


def test_nothing_to_add_leaves_no_undo_step_and_no_deck(col: Collection) -> None:
    report = importer.import_rows(col, rows_of("", "..."), importer.ImportOptions("Empty deck"))
    assert report.added == 0
    assert col.decks.id_for_name("Empty deck") is None
    assert col.undo_status().undo == ""


@needs_espeak
def test_reference_audio_is_spoken_into_the_media_folder(col: Collection) -> None:
    report = importer.import_rows(col, rows_of("I think so.", "-v is not an option."),
                                  importer.ImportOptions("Audio", reference_audio=True))
    assert report.reference_audio_added == 2
    for nid in report.added_note_ids:
        field = col.get_note(nid)["Reference Audio"]
        assert field.startswith("[sound:") and field.endswith(".mp3]"), "compressed, as Anki's recorder does"
        media = Path(col.media.dir()) / field[len("[sound:"):-1]
        assert media.read_bytes()[:3] == b"ID3" or media.read_bytes()[:2] in (b"\xff\xfb", b"\xff\xf3")
        assert 2_000 < media.stat().st_size < 30_000


def test_without_espeak_the_audio_field_stays_empty_and_the_import_goes_on(
    col: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reference_audio.shutil, "which", lambda name: None)
    report = importer.import_rows(col, rows_of("I think so."), importer.ImportOptions("Audio", reference_audio=True))
    assert report.added == 1
    assert col.get_note(report.added_note_ids[0])["Reference Audio"] == ""
    assert "espeak-ng is not installed" in report.summary()


def test_audio_already_in_a_row_is_kept(col: Collection) -> None:
    row = rules.SourceRow(1, "Hello there.", reference_audio="[sound:hello.mp3]")
    report = importer.import_rows(col, [row], importer.ImportOptions("Audio", reference_audio=True))
    assert col.get_note(report.added_note_ids[0])["Reference Audio"] == "[sound:hello.mp3]"
    assert report.reference_audio_added == 0


def test_starter_deck_imports_cleanly_with_every_contrast_level_and_hint(col: Collection) -> None:
    report = starter_deck.import_starter_deck(col)
    assert report.rejected == []
    assert report.duplicates == []
    assert report.added >= 120
    contrasts: set[str] = set()
    for nid in report.added_note_ids:
        note = col.get_note(nid)
        tag_kinds = {tag.split("::")[0]: tag.split("::")[1] for tag in note.tags}
        assert set(tag_kinds) == {"contrast", "level"}, note.tags
        assert tag_kinds["level"] in {"beginner", "intermediate", "advanced"}
        contrasts.add(tag_kinds["contrast"])
        first, second = note["Hint"].split(" / ")
        assert first.strip() and second.strip()
    assert contrasts == STARTER_CONTRASTS
    question = col.get_note(report.added_note_ids[0]).cards()[0].question()
    assert "think / sink" in question
    assert "I think the sink is full." in question


def test_starter_deck_twice_adds_nothing_the_second_time(col: Collection) -> None:
    first = starter_deck.import_starter_deck(col)
    second = starter_deck.import_starter_deck(col)
    assert second.added == 0
    assert len(second.duplicates) == first.added


def test_practice_type_is_created_with_the_hint_field(col: Collection) -> None:
    notetype = note_type.ensure_practice_note_type(col)
    assert "Hint" in col.models.field_names(notetype)
    assert not addon_module("authoring.hint_field").lacks_hint_field(col)


def test_hint_field_removed_by_the_user_comes_back_on_import_and_shows_on_the_front(col: Collection) -> None:
    notetype = note_type.ensure_practice_note_type(col)
    col.models.remove_field(notetype, col.models.field_map(notetype)["Hint"][1])
    col.models.update_dict(notetype)
    hint_field = addon_module("authoring.hint_field")
    assert hint_field.lacks_hint_field(col)
    report = importer.import_rows(col, [rules.SourceRow(1, "The ship is big.", hint="ship / sheep")],
                                  importer.ImportOptions("Hints"))
    assert not hint_field.lacks_hint_field(col)
    assert "ship / sheep" in col.get_note(report.added_note_ids[0]).cards()[0].question()


@pytest.mark.parametrize("with_audio", [False, pytest.param(True, marks=needs_espeak)])
def test_make_deck_package_reimports_into_a_fresh_collection_with_same_notes_and_tags(
    tmp_path: Path, with_audio: bool
) -> None:
    sentences = tmp_path / "deck.tsv"
    sentences.write_text(
        "English\tGerman\tLabels\n"
        "The vet is wet.\tDer Tierarzt ist nass.\tcontrast::v-w level::beginner\n"
        "\t(empty)\t\n"
        "THE VET IS WET.\tdup\t\n"
        "Thank you, Jürgen.\tDanke, Jürgen.\tnames\n",
        encoding="utf-8",
    )
    out = tmp_path / "shared" / "deck.apkg"
    arguments = [str(sentences), "--deck", "German::Minimal pairs", "--out", str(out), "--sentence-column", "English",
                 "--translation-column", "2", "--tags-column", "Labels", "--tag", "shared"]
    assert make_deck.main(arguments + (["--reference-audio"] if with_audio else [])) == 0

    (tmp_path / "fresh").mkdir()
    fresh = Collection(str(tmp_path / "fresh" / "collection.anki2"))
    try:
        fresh.import_anki_package(ImportAnkiPackageRequest(package_path=str(out),
                                                           options=ImportAnkiPackageOptions()))
        nids = fresh.find_notes('"deck:German::Minimal pairs"')
        notes = sorted((fresh.get_note(nid) for nid in nids), key=lambda note: note["Sentence"])
        assert [(n["Sentence"], n["Translation"], sorted(n.tags)) for n in notes] == [
            ("Thank you, Jürgen.", "Danke, Jürgen.", ["names", "shared"]),
            ("The vet is wet.", "Der Tierarzt ist nass.", ["contrast::v-w", "level::beginner", "shared"]),
        ]
        assert {note_type_name(n) for n in notes} == {note_type.PRACTICE_NOTE_TYPE}
        for note in notes:
            audio = note["Reference Audio"]
            if with_audio:
                assert (Path(fresh.media.dir()) / audio[len("[sound:"):-1]).is_file()
            else:
                assert audio == ""
    finally:
        fresh.close()


def test_make_deck_refuses_a_file_with_nothing_to_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sentences = tmp_path / "bad.txt"
    sentences.write_text("\n...\n", encoding="utf-8")
    out = tmp_path / "bad.apkg"
    assert make_deck.main([str(sentences), "--deck", "Bad", "--out", str(out)]) == 1
    assert not out.exists()
    assert "line 2: no word that can be pronounced" in capsys.readouterr().out


def add_basic_notes(col: Collection, deck: str, *fronts: str) -> list[NoteId]:
    basic = col.models.by_name("Basic")
    assert basic is not None
    deck_id = col.decks.id(deck)
    assert deck_id is not None
    note_ids = []
    for front in fronts:
        note = col.new_note(basic)
        note["Front"], note["Back"] = front, "back"
        col.add_note(note, deck_id)
        note_ids.append(note.id)
    return note_ids


def basic_field_names(col: Collection) -> list[str]:
    basic = col.models.by_name("Basic")
    assert basic is not None
    return col.models.field_names(basic)


def test_practice_fields_are_added_to_the_notes_type_and_one_undo_takes_them_away(col: Collection) -> None:
    practice = addon_module("authoring.practice_from_notes")
    note_ids = add_basic_notes(col, "Vocabulary", "I <i>think</i> so.", "…", "x" * 400)
    before = basic_field_names(col)
    report = practice.add_practice_fields(col, note_ids, "Sentence")
    assert report.fields_added == {"Basic": ["Sentence", "Reference Audio", "Recording", "Feedback"]}
    assert report.sentences_filled == 1
    assert [col.get_note(nid)["Sentence"] for nid in note_ids] == ["I think so.", "", ""]
    assert practice.missing_practice_fields(col, note_ids, "Sentence") == {}
    assert col.undo_status().undo == "Add pronunciation practice fields"
    col.undo()
    assert basic_field_names(col) == before
    assert col.get_note(note_ids[0])["Front"] == "I <i>think</i> so."


def test_practice_fields_follow_the_configured_names(col: Collection) -> None:
    practice = addon_module("authoring.practice_from_notes")
    note_ids = add_basic_notes(col, "Vocabulary", "I think so.")
    # The config renamed the recording field, turned the feedback field off and names "Back" for reference audio.
    report = practice.add_practice_fields(col, note_ids, "Phrase", ("back", "My Voice", ""))
    assert report.fields_added == {"Basic": ["Phrase", "My Voice"]}
    assert basic_field_names(col) == ["Front", "Back", "Phrase", "My Voice"]


def test_notes_copied_into_practice_keep_their_audio_and_tags(col: Collection) -> None:
    practice = addon_module("authoring.practice_from_notes")
    note_ids = add_basic_notes(col, "Vocabulary", "Good <b>morning</b>! [sound:morning.mp3]", "&nbsp;")
    col.tags.bulk_add(note_ids[:1], "greetings")
    rows = practice.practice_rows_from_notes(col, note_ids)
    report = importer.import_rows(col, rows, importer.ImportOptions("Practice"))
    assert report.added == 1
    note = col.get_note(report.added_note_ids[0])
    assert (note["Sentence"], note["Reference Audio"], note.tags) == ("Good morning!", "[sound:morning.mp3]",
                                                                       ["greetings"])
    assert "selected note 2: empty line" in report.summary(row_label="selected note")
