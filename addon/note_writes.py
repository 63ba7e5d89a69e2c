"""The two changes the add-on makes to a note, each one undoable step in Anki's Edit menu.

Run inside a ``CollectionOp`` so the reviewer redraws and Edit → Undo restores the note.
"""

from __future__ import annotations

from anki.collection import Collection, OpChanges
from anki.notes import NoteId

NEEDS_WORK_TAG = "pronunciation::needs-work"


def attach_recording(col: Collection, note_id: int, field: str, media_file: str) -> OpChanges:
    """Link the saved recording in ``field`` (replacing the previous one)."""
    note = col.get_note(NoteId(note_id))
    note[field] = f"[sound:{media_file}]"
    return col.update_note(note)


def write_feedback(col: Collection, note_id: int, field: str | None, html: str, needs_work: bool) -> OpChanges:
    """Put the rendered feedback in ``field`` (if the note has one) and set or clear the needs-work tag."""
    step = col.add_custom_undo_entry("Pronunciation feedback")
    note = col.get_note(NoteId(note_id))
    if field:
        note[field] = html
    if needs_work:
        note.add_tag(NEEDS_WORK_TAG)
    else:
        note.remove_tag(NEEDS_WORK_TAG)
    col.update_note(note)
    return col.merge_undo_entries(step)
