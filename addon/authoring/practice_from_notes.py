"""Bring notes a learner already has into pronunciation practice, for the browser's two actions.

Either their note type gains the fields the record button uses (the sentence is filled from the
note's front where it is empty), or their front text is copied into new Pronunciation Practice
notes, keeping any audio they carry as the reference recording.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from anki.collection import Collection, OpChanges
from anki.notes import NoteId

from ..note_type import matching_field
from .import_rules import SourceRow, field_text, reject_reason
from .reference_audio import sound_tags_in

#: the default names of the reference audio, recording and feedback fields (the add-on's config may rename them)
RECORDING_FIELDS = ("Reference Audio", "Recording", "Feedback")


@dataclass
class FieldsReport:
    """Fields added per note type name, and how many notes had their sentence filled from the front."""

    fields_added: dict[str, list[str]] = field(default_factory=dict)
    sentences_filled: int = 0
    changes: OpChanges = field(default_factory=OpChanges)

    def summary(self) -> str:
        if not self.fields_added and not self.sentences_filled:
            return "The selected notes' types already have every practice field."
        lines = [f"{name}: added {', '.join(names)}" for name, names in self.fields_added.items()]
        lines.append(f"Sentence filled from the front of {self.sentences_filled} note(s).")
        return "\n".join(lines)


def missing_practice_fields(col: Collection, note_ids: Sequence[NoteId], sentence_field: str,
                            recording_fields: Sequence[str] = RECORDING_FIELDS) -> dict[str, list[str]]:
    """For each note type of these notes, the practice fields it lacks (names compared case-insensitively).

    An empty name in ``recording_fields`` is a field the learner turned off in the config: never added.
    """
    missing: dict[str, list[str]] = {}
    for notetype_id in {col.get_note(nid).mid for nid in note_ids}:
        notetype = col.models.get(notetype_id)
        assert notetype is not None
        have = {name.casefold() for name in col.models.field_names(notetype)}
        lacking = [name for name in (sentence_field, *recording_fields) if name and name.casefold() not in have]
        if lacking:
            missing[notetype["name"]] = lacking
    return missing


def add_practice_fields(col: Collection, note_ids: Sequence[NoteId], sentence_field: str,
                        recording_fields: Sequence[str] = RECORDING_FIELDS) -> FieldsReport:
    """Give the notes' types the practice fields they lack and fill empty sentences from the front, as one undo step.

    Adding fields changes the collection's schema: the GUI asks the user before calling this.
    """
    report = FieldsReport(fields_added=missing_practice_fields(col, note_ids, sentence_field, recording_fields))
    undo_entry = col.add_custom_undo_entry("Add pronunciation practice fields")
    for notetype_name, names in report.fields_added.items():
        notetype = col.models.by_name(notetype_name)
        assert notetype is not None
        for name in names:
            col.models.add_field(notetype, col.models.new_field(name))
        col.models.update_dict(notetype)
    filled = []
    for nid in note_ids:
        note = col.get_note(nid)
        target = matching_field(note, sentence_field)
        if target is None or field_text(note[target]):
            continue
        front = field_text(note.fields[0])
        if reject_reason(front) is None:
            note[target] = html.escape(front, quote=False)
            filled.append(note)
    if filled:
        col.update_notes(filled)
    report.sentences_filled = len(filled)
    report.changes = col.merge_undo_entries(undo_entry)
    return report


def practice_rows_from_notes(col: Collection, note_ids: Sequence[NoteId]) -> list[SourceRow]:
    """One row per note: its front as plain text, its tags, and the audio any of its fields already has.

    ``line_number`` is the note's position in the selection, so a report can point at it.
    """
    rows = []
    for position, nid in enumerate(note_ids, 1):
        note = col.get_note(nid)
        audio = " ".join(tag for tag in (sound_tags_in(value) for value in note.fields) if tag)
        rows.append(SourceRow(line_number=position, sentence=field_text(note.fields[0]), tags=tuple(note.tags),
                              reference_audio=audio))
    return rows
