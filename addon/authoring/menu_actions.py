"""The authoring entries of Tools → Pronunciation Coach: import sentences, and add the starter deck in one click."""

from __future__ import annotations

from anki.errors import AbortSchemaModification
from aqt.main import AnkiQt
from aqt.operations import CollectionOp
from aqt.qt import QAction, QMenu

from .dialog import open_import_dialog
from .gui_feedback import progress_on_main, show_report
from .hint_field import lacks_hint_field
from .importer import ImportReport
from .reference_audio import espeak_path
from .starter_deck import import_starter_deck


def add_authoring_actions(menu: QMenu, mw: AnkiQt) -> None:
    """Append "Import sentences…" and "Add starter deck" to the add-on's menu."""
    menu.addSeparator()
    import_action = QAction("Import sentences…", menu)
    import_action.triggered.connect(lambda: open_import_dialog(mw))
    menu.addAction(import_action)
    starter_action = QAction("Add starter deck", menu)
    starter_action.triggered.connect(lambda: add_starter_deck(mw))
    menu.addAction(starter_action)


def add_starter_deck(mw: AnkiQt) -> None:
    """Import the starter deck in the background (one undo step), with espeak-ng reference audio when installed."""
    assert mw.col is not None
    if lacks_hint_field(mw.col):
        try:
            mw.col.mod_schema(check=True)
        except AbortSchemaModification:
            return
    with_audio = espeak_path() is not None
    on_progress = progress_on_main(mw, "Adding starter sentence")

    def done(report: ImportReport) -> None:
        show_report(mw, report.summary(), needs_attention=bool(report.rejected))

    CollectionOp(mw, lambda col: import_starter_deck(col, reference_audio=with_audio, on_progress=on_progress)) \
        .success(done).run_in_background()
