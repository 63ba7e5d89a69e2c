"""Read the daemon's version-1 feedback document into plain objects, refusing what breaks the contract.

The add-on cannot import the daemon; it checks each answer against the JSON Schema shipped beside
this module (``feedback_schema.json``, generated from ``inference_daemon.feedback``; a test keeps the
two identical) and keeps only the fields it shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).with_name("feedback_schema.json")
SUPPORTED_VERSION = 1


class InvalidFeedback(ValueError):
    """The daemon answered with something that is not a version-1 feedback document."""


#: the error type that is about the word's stress, not its phones (see :attr:`PhoneError.is_stress`)
STRESS = "stress"


@dataclass(frozen=True)
class PhoneError:
    type: str
    expected: str | None
    heard: str | None
    position: int
    #: for a stress error: index into the word's expected phones of the vowel that carried the stress instead
    stressed_position: int | None = None

    @property
    def is_stress(self) -> bool:
        """A stress error names vowels (``expected`` should carry the stress, ``heard`` carried it instead),
        not a phone said wrongly: it must never be shown as "heard X instead of Y"."""
        return self.type == STRESS


@dataclass(frozen=True)
class WordResult:
    index: int
    text: str
    score: float
    status: str
    expected_phones: tuple[str, ...]
    heard_phones: tuple[str, ...] | None
    errors: tuple[PhoneError, ...]
    explanation: str | None
    suggestion: str | None
    #: the dictionary's stress digit per vowel of expected_phones (daemons that send it; None otherwise)
    expected_stress: str | None = None

    @property
    def needs_work(self) -> bool:
        return self.status != "ok"

    @property
    def stress_error(self) -> PhoneError | None:
        """The word's stress error, when the stress fell on the wrong syllable."""
        return next((error for error in self.errors if error.is_stress), None)

    @property
    def has_phone_errors(self) -> bool:
        """Whether any sound of the word was said wrongly, left out or added (stress aside)."""
        return any(not error.is_stress for error in self.errors)


@dataclass(frozen=True)
class Feedback:
    request_id: str
    text: str
    backend: str
    model: str
    score: float  # the overall pronunciation accuracy
    words: tuple[WordResult, ...]
    summary: str
    suggestions: tuple[str, ...]
    warnings: tuple[str, ...]
    # Sentence-level scores, 0-100; None from daemons that do not send them or backends that cannot tell.
    fluency: float | None = None
    prosody: float | None = None
    completeness: float | None = None

    @property
    def words_needing_work(self) -> list[WordResult]:
        return [word for word in self.words if word.needs_work]


@cache
def feedback_schema() -> dict[str, Any]:
    """The shipped schema as the add-on reads documents with it: fields it does not know are allowed.

    Version 1 grows by adding fields (fluency, prosody, completeness came later); a daemon newer than
    the add-on must not make its feedback unreadable. What the add-on uses is still checked strictly.
    """
    schema: dict[str, Any] = _allow_added_fields(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    return schema


def _allow_added_fields(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _allow_added_fields(value) for key, value in node.items() if key != "additionalProperties"}
    if isinstance(node, list):
        return [_allow_added_fields(value) for value in node]
    return node


def parse_feedback(data: Any) -> Feedback:
    """Validate a decoded JSON answer against the schema and return what the add-on uses."""
    if isinstance(data, dict) and data.get("version") != SUPPORTED_VERSION:
        raise InvalidFeedback(
            f"feedback version {data.get('version')!r} is not supported (this add-on reads version "
            f"{SUPPORTED_VERSION}); update the add-on or the daemon"
        )
    try:
        jsonschema.validate(data, feedback_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "document"
        raise InvalidFeedback(f"the feedback document is invalid at {where}: {exc.message}") from exc
    return Feedback(
        request_id=data["request_id"],
        text=data["text"],
        backend=data["backend"],
        model=data["model"],
        score=float(data["score"]),
        words=tuple(_word(word) for word in data["words"]),
        summary=data["summary"],
        suggestions=tuple(data.get("suggestions", ())),
        warnings=tuple(data.get("warnings", ())),
        fluency=_optional_score(data.get("fluency")),
        prosody=_optional_score(data.get("prosody")),
        completeness=_optional_score(data.get("completeness")),
    )


def _optional_score(value: Any) -> float | None:
    return None if value is None else float(value)


def _word(data: dict[str, Any]) -> WordResult:
    heard = data.get("heard_phones")
    return WordResult(
        index=data["index"],
        text=data["text"],
        score=float(data["score"]),
        status=data["status"],
        expected_phones=tuple(data["expected_phones"]),
        heard_phones=tuple(heard) if heard is not None else None,
        errors=tuple(
            PhoneError(type=e["type"], expected=e.get("expected"), heard=e.get("heard"), position=e["position"],
                       stressed_position=e.get("stressed_position"))
            for e in data.get("errors", ())
        ),
        explanation=data.get("explanation"),
        suggestion=data.get("suggestion"),
        expected_stress=data.get("expected_stress"),
    )
