"""Browse → Notes → Pronunciation Coach: practise notes the learner already has.

"Add practice fields to note type" gives the selected notes' types the fields the record button
uses; "Copy into practice notes…" makes a Pronunciation Practice note from each selected note's front.
"""

from __future__ import annotations

from collections.abc import Sequence

import aqt
from anki.errors import AbortSchemaModification
from anki.notes import NoteId
from aqt import gui_hooks
from aqt.browser import Browser
from aqt.operations import CollectionOp
from aqt.qt import QAction
from aqt.studydeck import StudyDeck
from aqt.utils import askUser, tooltip

from ..config import AddonConfig
from .gui_feedback import REPORT_TITLE, progress_on_main, show_report
from .importer import ImportOptions, ImportReport, import_rows
from .practice_from_notes import FieldsReport, add_practice_fields, missing_practice_fields, practice_rows_from_notes

MENU_TITLE = "Pronunciation Coach"


def register_browser_actions() -> None:
    """Add the two actions to every browser window's Notes menu; calling it again changes nothing."""
    gui_hooks.browser_menus_did_init.remove(_add_menu)
    gui_hooks.browser_menus_did_init.append(_add_menu)


def _add_menu(browser: Browser) -> None:
    menu = browser.form.menu_Notes.addMenu(MENU_TITLE)
    assert menu is not None
    add_fields = QAction("Add practice fields to note type", menu)
    add_fields.triggered.connect(lambda: add_fields_to_note_types(browser))
    menu.addAction(add_fields)
    copy_notes = QAction("Copy into practice notes…", menu)
    copy_notes.triggered.connect(lambda: copy_into_practice_notes(browser))
    menu.addAction(copy_notes)


def _selected(browser: Browser) -> Sequence[NoteId]:
    note_ids = browser.selected_notes()
    if not note_ids:
        tooltip(f"{MENU_TITLE}: select some notes first.", parent=browser)
    return note_ids


def _config() -> AddonConfig:
    assert aqt.mw is not None
    return AddonConfig(aqt.mw.addonManager.getConfig(__name__))


def add_fields_to_note_types(browser: Browser) -> None:
    """Ask, then add the missing practice fields and fill empty sentences from the front, as one undo step."""
    note_ids = _selected(browser)
    col = browser.col
    if not note_ids:
        return
    config = _config()
    sentence_field = config.sentence_field
    recording_fields = (config.reference_audio_field, config.recording_field, config.feedback_field)
    missing = missing_practice_fields(col, note_ids, sentence_field, recording_fields)
    if missing:
        changes = "\n".join(f"• {name}: {', '.join(fields)}" for name, fields in missing.items())
        question = (f"Add these fields so the record button works on these notes?\n\n{changes}\n\n"
                    f"Empty {sentence_field} fields are filled from each note's front.")
        if not askUser(question, parent=browser, title=REPORT_TITLE):
            return
        try:
            col.mod_schema(check=True)
        except AbortSchemaModification:
            return

    def done(report: FieldsReport) -> None:
        show_report(browser, report.summary(), needs_attention=False)

    CollectionOp(browser, lambda col: add_practice_fields(col, note_ids, sentence_field, recording_fields)) \
        .success(done).run_in_background()


def copy_into_practice_notes(browser: Browser) -> None:
    """Ask for a deck, then copy each selected note's front (and audio) into a new practice note there."""
    note_ids = _selected(browser)
    if not note_ids:
        return
    rows = practice_rows_from_notes(browser.col, note_ids)
    mw = browser.mw

    def deck_chosen(chooser: StudyDeck) -> None:
        if not chooser.name:
            return
        options = ImportOptions(deck_name=chooser.name)
        on_progress = progress_on_main(mw, "Copying note")
        CollectionOp(browser, lambda col: import_rows(col, rows, options, on_progress)) \
            .success(done).run_in_background()

    def done(report: ImportReport) -> None:
        show_report(browser, report.summary(row_label="selected note"),
                    needs_attention=bool(report.rejected))

    StudyDeck(mw, accept="Copy here", title="Deck for the practice notes", parent=browser,
              current=browser.col.decks.current()["name"], callback=deck_chosen)
