"""How authoring operations talk to the user in Anki: progress while notes are added, a report afterwards."""

from __future__ import annotations

from aqt.main import AnkiQt
from aqt.qt import QWidget
from aqt.utils import showText, tooltip

from .importer import ProgressCallback

REPORT_TITLE = "Pronunciation Coach"


def progress_on_main(mw: AnkiQt, label: str) -> ProgressCallback:
    """A progress callback for a background operation that updates Anki's progress window on the main thread."""

    def report(done: int, total: int) -> None:
        mw.taskman.run_on_main(lambda: mw.progress.update(label=f"{label} {done} of {total}", value=done, max=total))

    return report


def show_report(parent: QWidget, summary: str, needs_attention: bool) -> None:
    """A tooltip when all went as expected; a window the author can read and copy when lines were refused."""
    if not needs_attention:
        tooltip(summary.replace("\n", "<br>"), parent=parent, period=5000)
        return
    shown = showText(summary, parent=parent, run=False, title=REPORT_TITLE, copyBtn=True, plain_text_edit=True)
    assert shown is not None
    dialog, _buttons = shown
    dialog.show()
