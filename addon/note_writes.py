"""The two changes the add-on makes to a note, each one undoable step in Anki's Edit menu.

Run inside a ``CollectionOp`` (the reviewer as initiator, so the card is not redrawn) and Edit → Undo
restores the note.
"""

from __future__ import annotations

import re
from collections.abc import Collection as Collection_

from anki.collection import Collection, OpChanges
from anki.notes import NoteId

NEEDS_WORK_TAG = "pronunciation::needs-work"
#: every recording the add-on saves is named so; only such files are ever moved to the media trash
RECORDING_PREFIX = "pronunciation_coach_"
_SOUND_TAG = re.compile(r"\[sound:([^\]]+)\]")


def attach_recording(col: Collection, note_id: int, field: str, media_file: str,
                     keep: Collection_[str] = ()) -> OpChanges:
    """Link the saved recording in ``field``, and move the recording it replaces to Anki's media trash.

    Only the add-on's own recordings are trashed, and only when no other note links them and they are
    not in ``keep`` (recordings still waiting for the daemon). Check Media can restore them.
    """
    note = col.get_note(NoteId(note_id))
    replaced = [name for name in _SOUND_TAG.findall(note[field])
                if name.startswith(RECORDING_PREFIX) and name != media_file and name not in keep]
    note[field] = f"[sound:{media_file}]"
    changes = col.update_note(note)
    unused = [name for name in replaced if not col.find_notes(f'"{_escaped(name)}"')]
    if unused:
        col.media.trash_files(unused)
    return changes


def _escaped(name: str) -> str:
    """A media name inside an Anki search: its wildcards and quotes taken literally."""
    return re.sub(r'([\\*_"])', r"\\\1", name)


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
