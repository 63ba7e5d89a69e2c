"""Give back the practice note type its Hint field when a user removed it, before importing hints.

New practice note types are created with the field (:mod:`..note_type`). Adding a field changes
the collection's schema (the next sync is a full one), so the GUI asks the
user first: callers check :func:`lacks_hint_field` before starting an import that carries hints.
"""

from __future__ import annotations

from anki.collection import Collection
from anki.models import NotetypeDict

from ..note_type import HINT_CSS, HINT_FIELD, HINT_HTML, PRACTICE_NOTE_TYPE


def lacks_hint_field(col: Collection) -> bool:
    """True when the practice note type exists and has no Hint field (adding one changes the schema)."""
    notetype = col.models.by_name(PRACTICE_NOTE_TYPE)
    return notetype is not None and HINT_FIELD not in col.models.field_names(notetype)


def ensure_hint_field(col: Collection, notetype: NotetypeDict) -> NotetypeDict:
    """The note type with a Hint field, added with its place on the front of each card when missing."""
    models = col.models
    if HINT_FIELD in models.field_names(notetype):
        return notetype
    models.add_field(notetype, models.new_field(HINT_FIELD))
    for template in notetype["tmpls"]:
        if "{{Hint}}" not in template["qfmt"]:
            template["qfmt"] = _with_hint_under_sentence(template["qfmt"])
    if ".pc-hint" not in notetype["css"]:
        notetype["css"] += HINT_CSS
    models.update_dict(notetype)
    updated = models.get(notetype["id"])
    assert updated is not None
    return updated


def _with_hint_under_sentence(front: str) -> str:
    sentence_block = "{{Sentence}}</div>"
    if sentence_block in front:
        return front.replace(sentence_block, f"{sentence_block}\n{HINT_HTML}", 1)
    return f"{front}\n{HINT_HTML}"
