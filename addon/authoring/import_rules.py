"""Decide which source sentences become practice notes: the same rules in Anki and in tools/make_deck.py.

A sentence is refused when it is empty, longer than the daemon accepts, has no word that can be
pronounced, or has letters of another script than the Latin one (the daemon assesses English and
refuses those); a sentence already in the deck (or earlier in the same file) is skipped as a
duplicate. The rules mirror ``inference_daemon/sentence.py`` (the add-on cannot import the
daemon), and a test keeps the two in agreement.
"""

from __future__ import annotations

import enum
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_SENTENCE_CHARS = 300

# The daemon's definition of a word: a whitespace-separated token which, without this surrounding
# punctuation, still has a letter or a digit.
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>.,;:!?¡¿…—–-*_/\\|`~"
_HAS_LETTER_OR_DIGIT = re.compile(r"[^\W_]", re.UNICODE)

_HIDDEN_ELEMENT = re.compile(r"<(style|script)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_LINE_BREAKING_TAG = re.compile(r"</?(br|div|p|li|tr|td|h[1-6])\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_SOUND_OR_MEDIA_REF = re.compile(r"\[sound:[^\]]*\]")


class RejectReason(enum.Enum):
    """Why a line of the source is not imported; the value is what the author reads."""

    EMPTY = "empty line"
    TOO_LONG = f"longer than {MAX_SENTENCE_CHARS} characters"
    NO_PRONOUNCEABLE_WORD = "no word that can be pronounced"
    NOT_LATIN_SCRIPT = "letters of another script (English sentences only)"


@dataclass(frozen=True)
class SourceRow:
    """One sentence as read from a file or a note, before the rules are applied."""

    line_number: int
    sentence: str
    translation: str = ""
    hint: str = ""
    tags: tuple[str, ...] = ()
    reference_audio: str = ""


@dataclass(frozen=True)
class RejectedRow:
    row: SourceRow
    reason: RejectReason


@dataclass
class ImportPlan:
    """What an import would do: rows to add (sentence cleaned), duplicates to skip, rows refused."""

    to_add: list[SourceRow] = field(default_factory=list)
    duplicates: list[SourceRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def pronounceable_words(text: str) -> list[str]:
    """The words of a sentence by the daemon's rule (a word has a letter or digit)."""
    words = []
    for token in text.split():
        word = token.strip(_EDGE_PUNCTUATION)
        if _HAS_LETTER_OR_DIGIT.search(word):
            words.append(word)
    return words


def clean_sentence(text: str) -> str:
    """The sentence as it is stored: Unicode NFC, surrounding whitespace removed, inner runs made one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def field_text(field_html: str) -> str:
    """The readable text of an Anki field: markup, comments and ``[sound:…]`` references removed, entities decoded."""
    text = _HIDDEN_ELEMENT.sub(" ", field_html)
    text = _LINE_BREAKING_TAG.sub(" ", text)
    text = _ANY_TAG.sub("", text)
    text = _SOUND_OR_MEDIA_REF.sub(" ", text)
    return clean_sentence(html.unescape(text))


def duplicate_key(sentence: str) -> str:
    """Two sentences are the same when they differ only in case and whitespace."""
    return clean_sentence(sentence).casefold()


def reject_reason(sentence: str) -> RejectReason | None:
    """Why this (cleaned) sentence cannot be practised, or None when it can."""
    if not sentence:
        return RejectReason.EMPTY
    if len(sentence) > MAX_SENTENCE_CHARS:
        return RejectReason.TOO_LONG
    if not pronounceable_words(sentence):
        return RejectReason.NO_PRONOUNCEABLE_WORD
    if any(c.isalpha() and "LATIN" not in unicodedata.name(c, "") for c in sentence):
        return RejectReason.NOT_LATIN_SCRIPT
    return None


def plan_import(rows: Iterable[SourceRow], existing_sentences: Iterable[str]) -> ImportPlan:
    """Sort rows into those to add, duplicates of ``existing_sentences`` or of earlier rows, and refusals."""
    seen = {duplicate_key(sentence) for sentence in existing_sentences}
    plan = ImportPlan()
    for row in rows:
        sentence = clean_sentence(row.sentence)
        reason = reject_reason(sentence)
        if reason is not None:
            plan.rejected.append(RejectedRow(row, reason))
            continue
        key = duplicate_key(sentence)
        if key in seen:
            plan.duplicates.append(row)
            continue
        seen.add(key)
        plan.to_add.append(
            SourceRow(
                line_number=row.line_number,
                sentence=sentence,
                translation=row.translation.strip(),
                hint=row.hint.strip(),
                tags=row.tags,
                reference_audio=row.reference_audio,
            )
        )
    return plan
