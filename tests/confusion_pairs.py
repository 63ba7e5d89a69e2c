"""Learner confusions read by espeak-ng: one word of a sentence misread as its minimal pair, for
every kind of error the knowledge base names (TH->S, V->B, R->L, vowel length, final consonants ...).

Each case is read twice, as written and misread. A *hit* is the misread word flagged; it is
*named right* when one of its errors is the phone change that turns the word into its pair (from
the pronouncing dictionary). A *false alarm* is any other word flagged, in either reading; a
*correct-reading false alarm* counts only the readings as written. Voices are split into those the
project tuned on earlier (``DEV_VOICES``) and ones never used for tuning (``HELD_OUT_VOICES``).
Used by ``tests/test_phonetic_confusions.py`` and ``bench/bench_phonetic_confusions.py``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from inference_daemon.backends.base import Backend
from inference_daemon.feedback import ErrorType, FeedbackDocument, PhoneError, WordStatus
from inference_daemon.pronunciation import Lexicon
from tests.espeak_audio import synthesize
from tests.minimal_pairs import assess_wav

DEV_VOICES = ("en-us", "en-gb")
HELD_OUT_VOICES = ("en-gb-x-rp", "en-029", "en-us-nyc", "en-gb-scotland")


@dataclass(frozen=True)
class Confusion:
    sentence: str
    word_index: int
    misread_as: str

    @property
    def word(self) -> str:
        return self.sentence.split()[self.word_index]

    def misread_sentence(self) -> str:
        words = self.sentence.split()
        words[self.word_index] = self.misread_as
        return " ".join(words)

    def expected_errors(self) -> list[PhoneError]:
        """The phone changes that turn a dictionary pronunciation of the word into one of its pair
        (one substitution, or the final phone dropped)."""
        lexicon = Lexicon.default()
        found = []
        for said in lexicon.lookup(self.word):
            for heard in lexicon.lookup(self.misread_as):
                if len(said) == len(heard):
                    changed = [i for i, (a, b) in enumerate(zip(said, heard, strict=True)) if a != b]
                    if len(changed) == 1:
                        found.append(PhoneError(type=ErrorType.substitution, expected=said[changed[0]],
                                                heard=heard[changed[0]], position=changed[0]))
                elif len(heard) == len(said) - 1 and said[:-1] == heard:
                    found.append(PhoneError(type=ErrorType.deletion, expected=said[-1], position=len(said) - 1))
        if not found:
            raise ValueError(f"{self.word} -> {self.misread_as} is not one substitution or a final deletion")
        return found


CONFUSIONS = (
    Confusion("this path is steep", 1, "pass"),  # TH->S
    Confusion("the thin man left", 1, "tin"),  # TH->T
    Confusion("I saw three birds", 2, "free"),  # TH->F
    Confusion("they went home early", 0, "day"),  # DH->D
    Confusion("then we left", 0, "zen"),  # DH->Z
    Confusion("the vest is red", 1, "best"),  # V->B
    Confusion("the vine is green", 1, "wine"),  # V->W
    Confusion("the wet dog ran", 1, "vet"),  # W->V
    Confusion("the rice is hot", 1, "lice"),  # R->L
    Confusion("the glass is full", 1, "grass"),  # L->R
    Confusion("it was a long road", 3, "wrong"),  # L->R
    Confusion("the pig is pink", 1, "big"),  # P->B
    Confusion("a bat flew by", 1, "pat"),  # B->P
    Confusion("the fan is on", 1, "pan"),  # F->P
    Confusion("the prize was big", 1, "price"),  # Z->S
    Confusion("take a sip of tea", 2, "ship"),  # S->SH
    Confusion("she sells fish", 0, "sea"),  # SH->S
    Confusion("the chair is old", 1, "share"),  # CH->SH
    Confusion("the jet flew low", 1, "yet"),  # JH->Y
    Confusion("we sing at night", 1, "sin"),  # NG->N
    Confusion("the night was cold", 1, "light"),  # N->L
    Confusion("the bed is soft", 1, "bet"),  # D->T
    Confusion("the goat is white", 1, "coat"),  # G->K
    Confusion("please take a seat", 3, "sit"),  # IY->IH
    Confusion("I live here", 1, "leave"),  # IH->IY
    Confusion("the pin is sharp", 1, "pen"),  # IH->EH
    Confusion("the man is tall", 1, "men"),  # AE->EH
    Confusion("the pen is blue", 1, "pan"),  # EH->AE
    Confusion("my cap is red", 1, "cup"),  # AE->AH
    Confusion("the pool is deep", 1, "pull"),  # UW->UH
    Confusion("the cup is full", 3, "fool"),  # UH->UW
    Confusion("I caught the ball", 1, "coat"),  # AO->OW
    Confusion("I was late today", 2, "let"),  # EY->EH
    Confusion("I need a rest", 1, "knee"),  # final D dropped
    Confusion("we ride a bike", 3, "buy"),  # final K dropped
    Confusion("the seat is wet", 1, "sea"),  # final T dropped
)


@dataclass(frozen=True)
class Reading:
    """One assessed reading: the case, the voice, whether it was misread, and the document."""

    case: Confusion
    voice: str
    misread: bool
    document: FeedbackDocument

    @property
    def flagged(self) -> bool:
        """The case's word is flagged."""
        return self.document.words[self.case.word_index].status is not WordStatus.ok

    @property
    def named_right(self) -> bool:
        return any(
            e.type is expected.type and e.expected == expected.expected and e.heard == expected.heard
            for expected in self.case.expected_errors()
            for e in self.document.words[self.case.word_index].errors
        )

    @property
    def other_words_flagged(self) -> int:
        return sum(w.status is not WordStatus.ok for w in self.document.words if w.index != self.case.word_index)


def read_cases(backend: Backend, voices: Iterable[str], cases: Iterable[Confusion] = CONFUSIONS) -> list[Reading]:
    """Assess every case, as written and misread, in every voice."""
    readings = []
    with tempfile.TemporaryDirectory(prefix="confusions-") as folder:
        for voice in voices:
            for number, case in enumerate(cases):
                for misread in (False, True):
                    text = case.misread_sentence() if misread else case.sentence
                    wav = synthesize(text, voice, Path(folder) / f"{voice}-{number}-{int(misread)}.wav")
                    readings.append(Reading(case, voice, misread, assess_wav(backend, wav, case.sentence)))
    return readings


@dataclass(frozen=True)
class Rates:
    hit: float
    named_right: float
    false_alarm: float
    """Flagged words among all correctly read words (the other words of both readings, and the
    case's word in the reading as written)."""
    correct_reading_flagged: float
    """Share of readings as written in which the case's word was flagged."""


def rates(readings: list[Reading]) -> Rates:
    misread = [r for r in readings if r.misread]
    correct = [r for r in readings if not r.misread]
    correct_words = sum(len(r.document.words) - 1 for r in readings) + len(correct)
    false_alarms = sum(r.other_words_flagged for r in readings) + sum(r.flagged for r in correct)
    return Rates(
        hit=sum(r.flagged for r in misread) / len(misread),
        named_right=sum(r.named_right for r in misread) / len(misread),
        false_alarm=false_alarms / correct_words,
        correct_reading_flagged=sum(r.flagged for r in correct) / len(correct),
    )
