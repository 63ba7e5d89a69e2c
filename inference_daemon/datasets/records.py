"""The one in-memory shape of an annotated utterance, and its L2-Arctic-plus JSON form.

L2-Arctic-plus records look like ``{audio_path, text, annotation_info: {word: [phones]},
mis_exp_sug: {word: [{issue, suggestion}]}, regeneration}``, where a phone is ``"AA"`` (correct)
or an error written ``"CPL, PPL, type"``: ``"IH, EH, s"`` (substitution), ``"D, sil, d"``
(deletion), ``"sil, IY, a"`` (addition), ``"DH, err, s"`` (substituted by something unclear).

Repeated words: the release keys words by their text, so "the ... the" keeps one entry. Our
reader gives that entry to the *first* occurrence and treats later occurrences as read correctly
with their dictionary pronunciation (it cannot know better), counting them in
``AnnotatedUtterance.ambiguous_repeats``. Records this project writes keep every occurrence: they
carry an extra ``words`` list in sentence order, which the reader prefers when present, while
``annotation_info`` and ``mis_exp_sug`` stay as in the release for other tools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from inference_daemon.feedback import ErrorType, PhoneError


class PhoneKind(str, Enum):
    correct = "correct"
    substitution = "s"
    deletion = "d"
    addition = "a"


UNCLEAR = "err"
SILENCE = "sil"


@dataclass(frozen=True)
class AnnotatedPhone:
    """One phone of a word as annotated: what belonged there and what the annotator heard."""

    kind: PhoneKind
    canonical: str | None  # None for an addition
    perceived: str | None  # None for a deletion; "err" when the annotator could not name it
    accented: bool = False  # L2-ARCTIC's '*': an accented variant of the perceived phone

    def to_release(self) -> str:
        if self.kind is PhoneKind.correct:
            return str(self.canonical)
        canonical = self.canonical or SILENCE
        perceived = (self.perceived or SILENCE) + ("*" if self.accented else "")
        return f"{canonical}, {perceived}, {self.kind.value}"

    @classmethod
    def correct(cls, phone: str) -> AnnotatedPhone:
        """A phone read as it should be (for corpora that annotate only errors)."""
        return cls(PhoneKind.correct, phone, phone)


_STRESS = re.compile(r"(?<=[A-Za-z])[012]$")


def _clean_phone(label: str) -> str:
    return _STRESS.sub("", label.strip()).upper()


def parse_phone_label(label: str) -> AnnotatedPhone:
    """Parse a phone label of L2-ARCTIC (``"CPL,PPL,s"``, spaces anywhere) or L2-Arctic-plus.

    Raises ValueError on an error tag with an unknown type or the wrong number of parts.
    """
    parts = [part.strip() for part in label.split(",")]
    if len(parts) == 1:
        return AnnotatedPhone(PhoneKind.correct, _clean_phone(parts[0]), _clean_phone(parts[0]))
    if len(parts) != 3:
        raise ValueError(f"phone label {label!r} is neither a phone nor 'CPL,PPL,type'")
    canonical_raw, perceived_raw, kind_raw = parts
    try:
        kind = PhoneKind(kind_raw.lower())
    except ValueError:
        raise ValueError(f"phone label {label!r} has unknown error type {kind_raw!r}") from None
    accented = perceived_raw.endswith("*")
    perceived_raw = perceived_raw.rstrip("*").strip()
    canonical = None if kind is PhoneKind.addition else _clean_phone(canonical_raw)
    if kind is PhoneKind.deletion:
        perceived = None
    elif perceived_raw.lower() == UNCLEAR:
        perceived = UNCLEAR
    else:
        perceived = _clean_phone(perceived_raw)
    return AnnotatedPhone(kind, canonical, perceived, accented)


@dataclass
class AnnotatedWord:
    text: str
    phones: list[AnnotatedPhone]
    feedback: list[dict[str, str]] = field(default_factory=list)  # [{issue, suggestion}]

    @property
    def canonical_phones(self) -> list[str]:
        return [p.canonical for p in self.phones if p.canonical is not None]

    @property
    def perceived_phones(self) -> list[str]:
        return [p.perceived for p in self.phones if p.perceived is not None]

    @property
    def mispronounced(self) -> bool:
        return any(p.kind is not PhoneKind.correct for p in self.phones)

    def errors(self) -> list[PhoneError]:
        """The word's errors in the feedback document's terms (positions index canonical phones)."""
        errors = []
        position = 0
        for phone in self.phones:
            if phone.kind is PhoneKind.substitution:
                errors.append(PhoneError(type=ErrorType.substitution, expected=phone.canonical,
                                         heard=phone.perceived, position=position))
            elif phone.kind is PhoneKind.deletion:
                errors.append(PhoneError(type=ErrorType.deletion, expected=phone.canonical, position=position))
            elif phone.kind is PhoneKind.addition:
                errors.append(PhoneError(type=ErrorType.insertion, heard=phone.perceived, position=position))
            if phone.canonical is not None:
                position += 1
        return errors


@dataclass
class AnnotatedUtterance:
    """One utterance with its word- and phone-level annotation, whatever corpus it came from."""

    utterance_id: str
    speaker: str
    audio_path: str
    text: str
    words: list[AnnotatedWord]
    source: str = ""
    regeneration: bool = False
    ambiguous_repeats: int = 0

    @property
    def mispronounced_words(self) -> list[AnnotatedWord]:
        return [w for w in self.words if w.mispronounced]

    def to_release(self) -> dict[str, Any]:
        """The L2-Arctic-plus record, plus ``words`` (every occurrence, in order) and ids."""
        annotation_info: dict[str, list[str]] = {}
        mis_exp_sug: dict[str, list[dict[str, str]]] = {}
        for word in self.words:
            key = word.text.lower()
            if key not in annotation_info:
                annotation_info[key] = [p.to_release() for p in word.phones]
            if word.mispronounced and word.feedback and key not in mis_exp_sug:
                mis_exp_sug[key] = [dict(item) for item in word.feedback]
        return {
            "audio_path": self.audio_path,
            "text": self.text,
            "annotation_info": annotation_info,
            "mis_exp_sug": mis_exp_sug,
            "regeneration": self.regeneration,
            "utterance_id": self.utterance_id,
            "speaker": self.speaker,
            "source": self.source,
            "words": [
                {"text": w.text, "phones": [p.to_release() for p in w.phones], "feedback": w.feedback}
                for w in self.words
            ],
        }
