"""End to end: deck authoring in a real headless Anki — the import dialog, undo, the starter deck, the browser actions.

Anki starts only once per process, and the add-on's own end-to-end module already starts one, so
these scenarios run in a child pytest process of their own: in the parent, one test launches the
child and reports its outcome; in the child (``PRONUNCIATION_COACH_DECK_E2E=child``) the scenarios run.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

pytest.importorskip("aqt")
pytest.importorskip("PyQt6.QtWebEngineWidgets")

from tests.anki_support.addon_import import ADDON_PACKAGE, REPO_ROOT
from tests.anki_support.main_window import AnkiSession, install_addon_copy, running_anki

CHILD_ENV = "PRONUNCIATION_COACH_DECK_E2E"
IN_CHILD = os.environ.get(CHILD_ENV) == "child"
CHILD_TIMEOUT_S = 240
ARTIFACTS = REPO_ROOT / "test-artifacts"

pytestmark = pytest.mark.e2e
in_child = pytest.mark.skipif(not IN_CHILD, reason="runs in the child Anki process that the parent test starts")


@pytest.mark.skipif(IN_CHILD, reason="this is the child process")
def test_authoring_scenarios_pass_in_their_own_anki_process() -> None:
    # Anki lets one instance run per user; a key of our own keeps other Anki test runs from answering.
    env = {**os.environ, CHILD_ENV: "child", "ANKI_SINGLE_INSTANCE_KEY": f"pronunciation-coach-deck-e2e-{os.getpid()}"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", __file__]
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    assert result.returncode == 0, f"child Anki scenarios failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    assert " passed" in result.stdout and "skipped" in result.stdout


def authoring(name: str) -> Any:
    return importlib.import_module(f"{ADDON_PACKAGE}.authoring.{name}")


@pytest.fixture(scope="module")
def anki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnkiSession]:
    base = tmp_path_factory.mktemp("anki-base")
    install_addon_copy(base)
    with running_anki(base) as session:
        yield session


@pytest.fixture(autouse=True)
def no_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    if not IN_CHILD:
        yield
        return
    session: AnkiSession = request.getfixturevalue("anki")
    session.errors.clear()
    yield
    assert not session.errors, "\n".join(session.errors)


def coach_menu(anki: AnkiSession) -> Any:
    """Tools → Pronunciation Coach, as the add-on builds it (the authoring entries included)."""
    menu = importlib.import_module(ADDON_PACKAGE).coach.menu.menu
    assert menu_action(menu, "Import sentences…") and menu_action(menu, "Add starter deck")
    return menu


def menu_action(menu: Any, title: str) -> Any:
    return next((action for action in menu.actions() if action.text() == title), None)


def open_dialogs(kind: type) -> list[Any]:
    from aqt.qt import QApplication

    return [widget for widget in QApplication.topLevelWidgets() if isinstance(widget, kind) and widget.isVisible()]


def notes_in(anki: AnkiSession, deck: str) -> list[Any]:
    col = anki.mw.col
    return [col.get_note(nid) for nid in col.find_notes(f'"deck:{deck}"')]


def wait_for_undo_step(anki: AnkiSession, name: str, timeout: float = 20.0) -> None:
    """Wait until a background operation named ``name`` has finished (its undo entry is offered in the Edit menu)."""
    anki.wait_until(lambda: name in anki.mw.form.actionUndo.text(), timeout, f"the operation {name!r} to finish")


def preview_column(dialog: Any, column: int) -> list[str]:
    return [dialog.preview.item(row, column).text() for row in range(dialog.preview.rowCount())]


@in_child
def test_import_dialog_previews_imports_and_one_undo_removes_it(anki: AnkiSession, tmp_path: Path) -> None:
    dialog_module = authoring("dialog")
    # the note type is made when sentences are first added (not at profile open); this note comes first
    practice = importlib.import_module(f"{ADDON_PACKAGE}.note_type").ensure_practice_note_type(anki.mw.col)
    existing = anki.mw.col.new_note(practice)
    existing["Sentence"] = "The ship is big."
    anki.mw.col.add_note(existing, anki.mw.col.decks.id("E2E::Phrases"))

    sentences = tmp_path / "phrases.tsv"
    sentences.write_bytes("\ufeffTranslation\tSentence\tTags\r\n"
                          "Le bateau est grand.\tthe SHIP is big.\tvowels\r\n"
                          "Le café est ouvert.\tThe café is open.\tfood level::beginner\r\n"
                          "(rien)\t...\t\r\n"
                          "Merci, Jürgen.\tThank you, Jürgen.\tnames\r\n".encode())

    menu_action(coach_menu(anki), "Import sentences…").trigger()
    dialog = anki.wait_until(lambda: open_dialogs(dialog_module.ImportSentencesDialog), what="the import dialog")[0]
    dialog.load_file(sentences)
    dialog.deck_box.setCurrentText("E2E::Phrases")
    anki.pump(0.1)

    assert dialog.header_check.isChecked()
    assert dialog.column_mapping() == {dialog_module.Target.SENTENCE: 1, dialog_module.Target.TRANSLATION: 0,
                                       dialog_module.Target.TAGS: 2}
    assert preview_column(dialog, 0) == ["2", "3", "4", "5"]
    assert preview_column(dialog, 1) == ["duplicate: skipped", "add", "not imported: no word that can be pronounced",
                                         "add"]
    assert dialog.summary_label.text().startswith("2 to add, 1 duplicate(s) skipped, 1 not imported")
    ARTIFACTS.mkdir(exist_ok=True)
    dialog.grab().save(str(ARTIFACTS / "import-sentences-dialog.png"))

    dialog.import_button.click()
    wait_for_undo_step(anki, "Import 2 pronunciation sentences")
    report = dialog.last_report
    assert report.added == 2
    sentences_now = sorted(note["Sentence"] for note in notes_in(anki, "E2E::Phrases"))
    assert sentences_now == ["Thank you, Jürgen.", "The café is open.", "The ship is big."]
    cafe = next(note for note in notes_in(anki, "E2E::Phrases") if note["Sentence"] == "The café is open.")
    assert cafe["Translation"] == "Le café est ouvert."
    assert sorted(cafe.tags) == ["food", "level::beginner"]

    anki.mw.undo()
    anki.wait_until(lambda: "Import 2 pronunciation sentences" in anki.mw.form.actionRedo.text(),
                    what="undo to finish")
    assert notes_in(anki, "E2E::Phrases")[0]["Sentence"] == "The ship is big."


@in_child
def test_starter_deck_is_one_click_from_the_menu(anki: AnkiSession) -> None:
    starter_deck = authoring("starter_deck")
    menu_action(coach_menu(anki), "Add starter deck").trigger()
    wait_for_undo_step(anki, f"Import {len(starter_deck.starter_rows())} pronunciation sentences", timeout=90)
    notes = notes_in(anki, starter_deck.STARTER_DECK_NAME)
    assert len(notes) >= 120
    assert all(note["Hint"] and any(tag.startswith("contrast::") for tag in note.tags) for note in notes)
    if shutil.which("espeak-ng"):
        audio = notes[0]["Reference Audio"]
        assert audio.startswith("[sound:")
        assert (Path(anki.mw.col.media.dir()) / audio[len("[sound:"):-1]).is_file()


@in_child
def test_browser_copies_notes_into_practice_notes_and_adds_fields_to_their_type(anki: AnkiSession) -> None:
    import aqt
    from aqt.studydeck import StudyDeck

    browser_action = authoring("browser_action")
    browser_action.register_browser_actions()  # idempotent; the add-on's __init__ registers them too
    col = anki.mw.col
    basic = col.models.by_name("Basic")
    deck_id = col.decks.id("E2E::Vocabulary")
    fronts = ["Good <b>morning</b>, Sam! [sound:morning.mp3]", "Thank you very much.", "&nbsp;"]
    for front in fronts:
        note = col.new_note(basic)
        note["Front"], note["Back"] = front, "back"
        col.add_note(note, deck_id)

    browser = aqt.dialogs.open("Browser", anki.mw)
    try:
        browser.search_for('"deck:E2E::Vocabulary"')
        anki.pump(0.2)
        browser.table.select_all()
        submenu = next(action.menu() for action in browser.form.menu_Notes.actions()
                       if action.text() == browser_action.MENU_TITLE)

        menu_action(submenu, "Copy into practice notes…").trigger()
        chooser = anki.wait_until(lambda: open_dialogs(StudyDeck), what="the deck chooser")[0]
        chooser.form.filter.setText("E2E::Practice")
        chooser.name = "E2E::Practice"
        chooser.accept_with_callback()
        wait_for_undo_step(anki, "Import 2 pronunciation sentences")
        copied = notes_in(anki, "E2E::Practice")
        assert sorted(note["Sentence"] for note in copied) == ["Good morning, Sam!", "Thank you very much."]
        morning = next(note for note in copied if note["Sentence"].startswith("Good"))
        assert morning["Reference Audio"] == "[sound:morning.mp3]"

        def sentences_in_vocabulary() -> list[str]:
            return sorted(note["Sentence"] for note in notes_in(anki, "E2E::Vocabulary") if "Sentence" in note)

        with mock.patch.object(browser_action, "askUser", return_value=True) as asked:
            menu_action(submenu, "Add practice fields to note type").trigger()
            wait_for_undo_step(anki, "Add pronunciation practice fields")
        assert sentences_in_vocabulary() == ["", "Good morning, Sam!", "Thank you very much."]
        assert "Basic: Sentence, Reference Audio, Recording, Feedback" in asked.call_args.args[0]
        assert set(col.models.field_names(col.models.by_name("Basic"))) >= {"Sentence", "Recording", "Feedback"}
    finally:
        browser.close()
        anki.pump(0.3)

