"""What the speech recogniser heard, word by word, in one shape whichever recogniser produced it.

A Whisper checkpoint gives words with times, an OpenAI-compatible server may give only the text;
both become a :class:`Transcript`. :meth:`Transcript.normalized` is the form the LLM and the
alignment see: lower case, no punctuation, numbers and symbols spelled out by the same normaliser
that spells the target sentence (:mod:`inference_daemon.pronunciation`), so "3" and "three" match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inference_daemon.pronunciation import TargetWord, target_words
from inference_daemon.sentence import split_words


@dataclass(frozen=True)
class HeardWord:
    """One word the recogniser wrote, as :func:`split_words` gives it, with its time where known."""

    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Transcript:
    """The recogniser's words in order."""

    words: tuple[HeardWord, ...]

    @classmethod
    def from_text(cls, text: str) -> Transcript:
        """A transcript without times (servers that return only text)."""
        return cls(tuple(HeardWord(word) for word in split_words(text)))

    @classmethod
    def from_timed_chunks(cls, chunks: Sequence[tuple[str, float | None, float | None]]) -> Transcript:
        """A transcript from ``(text, start, end)`` pieces; a piece may hold several words or none."""
        words = [HeardWord(word, start, end) for text, start, end in chunks for word in split_words(text)]
        return cls(tuple(words))

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    def pronounced_words(self) -> list[TargetWord]:
        """Each heard word with its spoken tokens and dictionary pronunciations, in order."""
        return target_words(self.text) if self.words else []

    def normalized(self) -> str:
        """Lower case, no punctuation, digits spelled out: "I'm 3." becomes "i'm three"."""
        tokens = (token for word in self.pronounced_words() for token in word.tokens)
        return " ".join(_without_punctuation(token) for token in tokens)


def _without_punctuation(token: str) -> str:
    """A spoken token without the dot of a spelled letter or a hyphen; inner apostrophes stay."""
    return token.replace("-", " ").rstrip(".")
