"""Add sentences to a collection as Pronunciation Practice notes in one undoable step, and say what happened.

Used by the import dialog (inside a CollectionOp), the starter deck, the browser action and
``tools/make_deck.py``, so every path applies the same rules and produces the same report.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from anki.collection import AddNoteRequest, Collection, OpChanges
from anki.decks import DeckId
from anki.notes import NoteId

from ..note_type import ensure_practice_note_type
from .hint_field import HINT_FIELD, ensure_hint_field
from .import_rules import ImportPlan, RejectedRow, SourceRow, field_text, plan_import
from .reference_audio import DEFAULT_VOICE, EspeakReferenceAudio

log = logging.getLogger(__name__)

SENTENCE_FIELD = "Sentence"
TRANSLATION_FIELD = "Translation"
REFERENCE_AUDIO_FIELD = "Reference Audio"

# (notes done, notes to add)
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    deck_name: str
    extra_tags: tuple[str, ...] = ()
    reference_audio: bool = False
    voice: str = DEFAULT_VOICE


@dataclass
class ImportReport:
    """The outcome of one import; ``changes`` lets a CollectionOp refresh Anki's screens."""

    deck_name: str
    added_note_ids: list[NoteId] = field(default_factory=list)
    duplicates: list[SourceRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    reference_audio_added: int = 0
    reference_audio_unavailable: str = ""
    changes: OpChanges = field(default_factory=OpChanges)

    @property
    def added(self) -> int:
        return len(self.added_note_ids)

    def summary(self, row_label: str = "line") -> str:
        """A few lines an author reads after importing; ``row_label`` names what a row was (line, note)."""
        lines = [
            f"Added {self.added} note(s) to “{self.deck_name}”.",
            f"Skipped {len(self.duplicates)} duplicate(s) already in the deck or repeated in the source.",
        ]
        if self.rejected:
            lines.append(f"Not imported: {len(self.rejected)} {row_label}(s):")
            lines.extend(f"  {row_label} {item.row.line_number}: {item.reason.value}" for item in self.rejected)
        if self.reference_audio_added:
            lines.append(f"Reference audio made for {self.reference_audio_added} note(s).")
        if self.reference_audio_unavailable:
            lines.append(f"No reference audio: {self.reference_audio_unavailable}.")
        return "\n".join(lines)


def sentences_in_deck(col: Collection, deck_id: DeckId) -> list[str]:
    """The plain text of the Sentence field of every note with a card in this deck (subdecks excluded)."""
    sentence_index: dict[int, int | None] = {}
    sentences = []
    assert col.db is not None, "the collection is closed"
    rows = col.db.all("select mid, flds from notes where id in (select nid from cards where did = ?)", deck_id)
    for notetype_id, fields in rows:
        if notetype_id not in sentence_index:
            notetype = col.models.get(notetype_id)
            names = [f["name"] for f in notetype["flds"]] if notetype else []
            sentence_index[notetype_id] = names.index(SENTENCE_FIELD) if SENTENCE_FIELD in names else None
        index = sentence_index[notetype_id]
        if index is not None:
            sentences.append(field_text(fields.split("\x1f")[index]))
    return sentences


def preview_import(col: Collection, rows: Sequence[SourceRow], deck_name: str) -> ImportPlan:
    """What :func:`import_rows` would do with these rows, without changing the collection."""
    deck_id = col.decks.id_for_name(deck_name)
    existing = sentences_in_deck(col, deck_id) if deck_id else []
    return plan_import(rows, existing)


def import_rows(
    col: Collection,
    rows: Sequence[SourceRow],
    options: ImportOptions,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Add the rows the rules accept as notes in ``options.deck_name`` (created if needed), undoable as one step."""
    deck_name = options.deck_name.strip()
    if not deck_name:
        raise ValueError("a deck name is needed")
    plan = preview_import(col, rows, deck_name)
    report = ImportReport(deck_name=deck_name, duplicates=plan.duplicates, rejected=plan.rejected)
    if not plan.to_add:
        return report

    speaker = EspeakReferenceAudio.if_available(options.voice) if options.reference_audio else None
    if options.reference_audio and speaker is None:
        report.reference_audio_unavailable = "espeak-ng is not installed"

    undo_entry = col.add_custom_undo_entry(f"Import {len(plan.to_add)} pronunciation sentences")
    notetype = ensure_practice_note_type(col)
    if any(row.hint for row in plan.to_add):
        notetype = ensure_hint_field(col, notetype)
    has_hint_field = HINT_FIELD in col.models.field_names(notetype)
    deck_id = col.decks.id(deck_name, create=True)
    assert deck_id is not None
    requests = []
    for done, row in enumerate(plan.to_add, 1):
        note = col.new_note(notetype)
        note[SENTENCE_FIELD] = html.escape(row.sentence, quote=False)
        note[TRANSLATION_FIELD] = html.escape(row.translation, quote=False)
        if has_hint_field:
            note[HINT_FIELD] = html.escape(row.hint, quote=False)
        audio = row.reference_audio or (speaker.sound_tag(col, row.sentence) if speaker else "")
        if audio and not row.reference_audio:
            report.reference_audio_added += 1
        note[REFERENCE_AUDIO_FIELD] = audio
        note.tags = list(dict.fromkeys((*row.tags, *options.extra_tags)))
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
        if on_progress:
            on_progress(done, len(plan.to_add))
    col.add_notes(requests)
    report.added_note_ids = [request.note.id for request in requests]
    report.changes = col.merge_undo_entries(undo_entry)
    log.info("imported %d sentence(s) into %s", report.added, deck_name)
    return report

