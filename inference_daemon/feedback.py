"""The version-1 feedback document: the one contract between the daemon, the add-on and the tools.

Every backend returns a :class:`FeedbackDocument`; the daemon serialises it, the add-on renders it,
the evaluation tools read it. Nothing else defines these fields: the JSON Schema that the add-on
and the constrained decoders use is generated from these models (:func:`feedback_json_schema`).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

FEEDBACK_VERSION: Literal[1] = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorType(str, Enum):
    """How a phone differed from the target pronunciation; ``stress``: another syllable than the
    dictionary's carried the word's main stress (added within version 1)."""

    substitution = "substitution"
    deletion = "deletion"
    insertion = "insertion"
    stress = "stress"


class WordStatus(str, Enum):
    """The verdict on one word of the target sentence."""

    ok = "ok"
    mispronounced = "mispronounced"
    missing = "missing"


class PhoneError(_Strict):
    """One phone-level error inside a word.

    A ``stress`` error names vowels, the syllables' nuclei: ``position`` and ``expected`` the vowel that
    should carry the main stress, ``stressed_position`` and ``heard`` the vowel that carried it instead.
    """

    type: ErrorType
    expected: str | None = Field(
        description="ARPAbet phone that belongs here (null for an insertion)", default=None
    )
    heard: str | None = Field(description="ARPAbet phone heard instead (null for a deletion)", default=None)
    position: int = Field(ge=0, description="index into the word's expected_phones (insertions: before it)")
    stressed_position: int | None = Field(
        default=None,
        ge=0,
        description="for a stress error: index into the word's expected_phones of the vowel that carried "
        "the stress instead",
    )

    @model_serializer(mode="wrap")
    def _without_unset_stress(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave ``stressed_position`` out unless set, so that every other error serialises exactly as
        before the field existed (clients that compare or strictly validate errors see no change)."""
        data: dict[str, Any] = handler(self)
        if self.stressed_position is None:
            data.pop("stressed_position", None)
        return data


class PhoneScore(_Strict):
    """Timing and score of one expected phone, where the backend measures phones."""

    phone: str
    start: float | None = None
    end: float | None = None
    score: float = Field(ge=0, le=100)
    heard: str | None = None


class WordFeedback(_Strict):
    """Feedback on one word of the target sentence, in sentence order."""

    index: int = Field(ge=0)
    text: str
    start: float | None = Field(default=None, ge=0, description="seconds from the start of the recording")
    end: float | None = Field(default=None, ge=0)
    score: float = Field(ge=0, le=100)
    status: WordStatus
    expected_phones: list[str] = Field(description="ARPAbet, stress removed")
    expected_stress: str | None = Field(
        default=None, pattern=r"^[012]+$",
        description="the dictionary's stress per vowel of expected_phones, in order: 1 primary, 2 secondary, "
                    "0 unstressed (CMUdict; 'banana' 010, 'the' 0), so a client can show a reduced vowel as /ə/; "
                    "left out when the dictionary does not say",
    )
    heard_phones: list[str] | None = None
    errors: list[PhoneError] = Field(default_factory=list)
    explanation: str | None = None
    suggestion: str | None = None
    phones: list[PhoneScore] | None = Field(
        default=None, description="per expected phone timing and score, when the backend measures them"
    )

    @model_serializer(mode="wrap")
    def _without_unset_stress(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave ``expected_stress`` out unless set (added within version 1: documents from backends
        that do not know it read as before)."""
        data: dict[str, Any] = handler(self)
        if self.expected_stress is None:
            data.pop("expected_stress", None)
        return data


class FeedbackDocument(_Strict):
    """The answer to one assessment request."""

    version: Literal[1] = FEEDBACK_VERSION
    request_id: str
    text: str = Field(description="the target sentence as given")
    backend: str
    model: str
    duration_s: float = Field(ge=0)
    processing_s: float = Field(ge=0)
    score: float = Field(ge=0, le=100, description="overall pronunciation accuracy")
    # Sentence-level scores (added within version 1: optional, so older documents and clients stay valid).
    # Each is null when the backend cannot tell (no timings, or nothing of the sentence was found).
    fluency: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="reading without hesitation: speech and articulation rate, pauses between and inside "
        "words, long silences; null when the backend cannot tell",
    )
    prosody: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="rhythm and intonation: pitch movement and range, stressed against reduced words, "
        "phrase-final lengthening; a flat or syllable-timed reading scores low; null when the backend cannot tell",
    )
    completeness: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="share of the sentence's words that were actually read (not missing), in percent; "
        "null when the backend cannot tell",
    )
    words: list[WordFeedback]
    summary: str
    suggestions: list[str] = Field(default_factory=list, description="most important first")
    warnings: list[str] = Field(
        default_factory=list,
        description="things the learner should know about this assessment itself, e.g. that the reading "
        "could not be matched to the sentence",
    )

    @property
    def mispronounced_words(self) -> list[WordFeedback]:
        return [w for w in self.words if w.status is not WordStatus.ok]


def feedback_json_schema() -> dict[str, Any]:
    """JSON Schema of the feedback document, for the add-on, constrained decoding and external tools."""
    return FeedbackDocument.model_json_schema()
