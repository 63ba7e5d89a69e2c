"""The "Pronunciation Practice" note type, and which notes of any type carry a sentence to read.

:func:`ensure_practice_note_type` creates the note type on first use and returns it; deck importers
build notes on it. Any other note type whose fields include the configured sentence field works too.
"""

from __future__ import annotations

from anki.collection import Collection
from anki.models import NotetypeDict
from anki.notes import Note

from .card_controls import SLOT
from .render import FEEDBACK_CSS

PRACTICE_NOTE_TYPE = "Pronunciation Practice"
PRACTICE_FIELDS = ("Sentence", "Translation", "Reference Audio", "Recording", "Feedback", "Hint")
#: the minimal pair a sentence drills ("think / sink"), shown under the sentence when filled
HINT_FIELD = "Hint"
HINT_HTML = '{{#Hint}}<div class="pc-hint">{{Hint}}</div>{{/Hint}}'
HINT_CSS = """
.pc-hint { color: #555; font-size: 0.8em; margin-bottom: 0.6em; }
.nightMode .pc-hint { color: #c4c4c4; }
"""
FRONT_TEMPLATE = f"""<div class="pc-target">{{{{Sentence}}}}</div>
{HINT_HTML}
{{{{Reference Audio}}}}
{SLOT}"""

BACK_TEMPLATE = """{{FrontSide}}
<hr id="answer">
{{#Translation}}<div class="pc-translation">{{Translation}}</div>{{/Translation}}
{{Feedback}}"""

CARD_CSS = """.card { font-family: system-ui, sans-serif; font-size: 22px; text-align: center;
  color: black; background-color: white; }
.card.nightMode { color: #eee; background-color: #2f2f31; }
.pc-target { font-size: 1.4em; margin: 0.6em 0; }
.pc-translation { color: #666; font-style: italic; }
.nightMode .pc-translation { color: #b9b9b9; }
""" + HINT_CSS + FEEDBACK_CSS


def ensure_practice_note_type(col: Collection) -> NotetypeDict:
    """The practice note type, created (fields, card template, styling) when the collection lacks it."""
    existing = col.models.by_name(PRACTICE_NOTE_TYPE)
    if existing is not None:
        return existing
    models = col.models
    notetype = models.new(PRACTICE_NOTE_TYPE)
    for name in PRACTICE_FIELDS:
        models.add_field(notetype, models.new_field(name))
    template = models.new_template("Read aloud")
    template["qfmt"], template["afmt"] = FRONT_TEMPLATE, BACK_TEMPLATE
    models.add_template(notetype, template)
    notetype["css"] = CARD_CSS
    models.add_dict(notetype)
    created = models.by_name(PRACTICE_NOTE_TYPE)
    assert created is not None
    return created


def matching_field(note: Note, wanted: str) -> str | None:
    """The note's field called ``wanted`` (case-insensitive), or None when its type has none."""
    if not wanted:
        return None
    lowered = wanted.lower()
    return next((name for name in note.keys() if name.lower() == lowered), None)  # noqa: SIM118  (Note is no dict)
