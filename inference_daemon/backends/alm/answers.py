"""What a model says about a recording, in either answer format, before it becomes a feedback document.

Two formats are understood, both listing only the words with a problem:

* ``json``: the model's part of the version-1 feedback document (overall score, problem words with
  their score, heard ARPAbet phones, explanation and suggestion, a summary), constrained by
  :func:`answer_json_schema` where the decoder supports it;
* ``text``: the seed paper's format, one line per mispronounced word,
  ``word: <w> issue: <...> suggestion: <...>``, or exactly ``No Problem``, so that checkpoints tuned on
  L2-Arctic-plus work as they are.

Both parse into :class:`ParsedAnswer`; :func:`render_json_answer` and :func:`render_text_answer`
write the exact strings a tuned model is trained to produce (the JSON separators are those of the
constrained decoder, so training targets and constrained outputs are byte-identical).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inference_daemon.errors import InvalidModelOutput
from inference_daemon.pronunciation import ARPABET_PHONES
from inference_daemon.sentence import split_words

MAX_WORD_CHARS = 40
MAX_NOTE_CHARS = 200
MAX_SUMMARY_CHARS = 300
MAX_HEARD_PHONES = 16
# The JSON separators of a schema-constrained decoder without free whitespace (xgrammar, vLLM).
JSON_SEPARATORS = (", ", ": ")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JsonWord(_Strict):
    """One word of the sentence that was not pronounced as expected."""

    text: str = Field(max_length=MAX_WORD_CHARS, description="the word exactly as in the sentence")
    status: Literal["mispronounced", "missing"]
    score: int = Field(ge=0, le=100)
    heard_phones: list[str] = Field(max_length=MAX_HEARD_PHONES, description="ARPAbet, stress removed")
    explanation: str = Field(max_length=MAX_NOTE_CHARS)
    suggestion: str = Field(max_length=MAX_NOTE_CHARS)


class JsonAnswer(_Strict):
    """The ``json`` answer format: what the model fills in of the feedback document."""

    score: int = Field(ge=0, le=100, description="overall pronunciation accuracy")
    words: list[JsonWord] = Field(description="the words with a problem, in sentence order; [] when all are fine")
    summary: str = Field(max_length=MAX_SUMMARY_CHARS)


@dataclass(frozen=True)
class ReportedWord:
    """A word the model says has a problem; ``score`` and ``heard_phones`` only in the JSON format."""

    text: str
    status: Literal["mispronounced", "missing"]
    explanation: str
    suggestion: str
    score: float | None = None
    heard_phones: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ParsedAnswer:
    """A model's answer in either format; ``score`` and ``summary`` only in the JSON format."""

    words: tuple[ReportedWord, ...]
    score: float | None = None
    summary: str | None = None


def answer_json_schema(sentence: str | None = None) -> dict[str, Any]:
    """JSON Schema of the ``json`` format; for a given sentence, words and their number are restricted to it."""
    schema = JsonAnswer.model_json_schema()
    word = schema["$defs"]["JsonWord"]["properties"]
    word["heard_phones"]["items"] = {"enum": list(ARPABET_PHONES)}
    if sentence is not None:
        words = list(dict.fromkeys(split_words(sentence)))
        word["text"]["enum"] = words
        schema["properties"]["words"]["maxItems"] = len(split_words(sentence))
    return schema


def render_json_answer(answer: JsonAnswer) -> str:
    """The exact string a model answers in the ``json`` format (training targets, test fixtures)."""
    return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, separators=JSON_SEPARATORS)


def render_text_answer(answer: ParsedAnswer) -> str:
    """The exact string a model answers in the paper's text format."""
    if not answer.words:
        return "No Problem"
    return "\n".join(f"word: {w.text} issue: {w.explanation} suggestion: {w.suggestion}" for w in answer.words)


def parse_json_answer(raw: str) -> ParsedAnswer:
    """Parse and validate a ``json`` answer; raise :class:`InvalidModelOutput` when it is not one."""
    try:
        answer = JsonAnswer.model_validate(json.loads(raw, strict=False))
    except (json.JSONDecodeError, ValidationError) as exc:
        first_problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidModelOutput(f"The model's answer is not a valid feedback document: {first_problem}") from exc
    unknown = sorted({p for w in answer.words for p in w.heard_phones} - set(ARPABET_PHONES))
    if unknown:
        raise InvalidModelOutput(f"The model's answer names phones that are not ARPAbet: {', '.join(unknown)}")
    return ParsedAnswer(
        words=tuple(
            ReportedWord(text=w.text, status=w.status, explanation=w.explanation, suggestion=w.suggestion,
                         score=float(w.score), heard_phones=tuple(w.heard_phones))
            for w in answer.words
        ),
        score=float(answer.score),
        summary=answer.summary,
    )


_NO_PROBLEM = re.compile(r"^\s*no\s+problems?\s*[.!]?\s*$", re.IGNORECASE)
_TEXT_ENTRY = re.compile(
    r"word:[ \t]*(?P<word>[^\n]+?)\s+issue:[ \t]*(?P<issue>[^\n]+?)\s+suggestion:[ \t]*(?P<suggestion>[^\n]+?)"
    r"[ \t]*(?=\s+word:|\n|\Z)",
    re.IGNORECASE,
)


def parse_text_answer(raw: str) -> ParsedAnswer:
    """Parse the paper's text format; anything that is neither an entry nor ``No Problem`` is invalid.

    Entries may be on one line each or run together; a line that is not part of an entry (a
    truncated entry, free chatter) makes the whole answer invalid rather than silently dropped.
    """
    if _NO_PROBLEM.match(raw):
        return ParsedAnswer(words=())
    words: list[ReportedWord] = []
    covered = 0
    for entry in _TEXT_ENTRY.finditer(raw):
        if raw[covered:entry.start()].strip():
            break
        words.append(ReportedWord(
            text=" ".join(entry["word"].split()), status="mispronounced",
            explanation=" ".join(entry["issue"].split()), suggestion=" ".join(entry["suggestion"].split()),
        ))
        covered = entry.end()
    leftover = raw[covered:].strip()
    if not words or leftover:
        shown = (leftover or raw.strip())[:80]
        raise InvalidModelOutput(
            "The model's answer is not in the expected format ('word: ... issue: ... suggestion: ...' lines "
            f"or 'No Problem'); it could not read: {shown!r}"
        )
    return ParsedAnswer(words=tuple(words))
