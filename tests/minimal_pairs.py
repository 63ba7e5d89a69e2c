"""Minimal-pair misreadings for the ``phonetic`` backend: the set, and how hits and false alarms count.

Each case is a sentence and one of its words read as the word's minimal pair (fox → box). espeak-ng
reads the misread sentence; the backend assesses it against the correct one. A *hit* is the misread
word flagged (not ``ok``); a *false alarm* is any other word flagged. Used by
``tests/test_phonetic_minimal_pairs.py`` and ``bench/bench_phonetic_minimal_pairs.py``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from inference_daemon.backends.base import Backend
from inference_daemon.feedback import FeedbackDocument, WordStatus
from inference_daemon.pipeline import assess_now, prepare_request
from tests.espeak_audio import synthesize

VOICES = ("en-us", "en-gb")


@dataclass(frozen=True)
class MinimalPair:
    sentence: str
    word_index: int
    misread_as: str

    def misread_sentence(self) -> str:
        words = self.sentence.split()
        words[self.word_index] = self.misread_as
        return " ".join(words)


PAIRS = (
    MinimalPair("the quick fox jumps", 2, "box"),
    MinimalPair("I think it is fine", 1, "sink"),
    MinimalPair("she has three cats", 2, "tree"),
    MinimalPair("this is very good", 2, "berry"),
    MinimalPair("turn on the light please", 3, "right"),
    MinimalPair("the ship is big", 1, "sheep"),
    MinimalPair("we took the van home", 3, "ban"),
    MinimalPair("I need a bath now", 3, "bat"),
    MinimalPair("they sat on the mat", 1, "set"),
    MinimalPair("he ran to the door", 1, "run"),
    MinimalPair("put it in the bag", 0, "pot"),
    MinimalPair("the cat is black", 1, "cap"),
)


@dataclass(frozen=True)
class Outcome:
    pair: MinimalPair
    voice: str
    document: FeedbackDocument

    @property
    def hit(self) -> bool:
        return self.document.words[self.pair.word_index].status is not WordStatus.ok

    @property
    def false_alarms(self) -> int:
        return sum(
            w.status is not WordStatus.ok for w in self.document.words if w.index != self.pair.word_index
        )


def assess_wav(backend: Backend, path: Path, sentence: str) -> FeedbackDocument:
    """Assess a WAV file through the daemon's code path (checks, decoding, backend, stamping)."""
    return assess_now(backend, prepare_request(path.read_bytes(), sentence, request_id=path.stem))


def run_pairs(backend: Backend, voices: tuple[str, ...] = VOICES) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="minimal-pairs-") as folder:
        outcomes = []
        for voice in voices:
            for number, pair in enumerate(PAIRS):
                wav = synthesize(pair.misread_sentence(), voice, Path(folder) / f"{voice}-{number}.wav")
                outcomes.append(Outcome(pair, voice, assess_wav(backend, wav, pair.sentence)))
        return outcomes


def hit_rate(outcomes: list[Outcome]) -> float:
    return sum(o.hit for o in outcomes) / len(outcomes)


def false_alarm_rate(outcomes: list[Outcome]) -> float:
    """Flagged words among the correctly read words of all cases."""
    correct_words = sum(len(o.document.words) - 1 for o in outcomes)
    return sum(o.false_alarms for o in outcomes) / correct_words
