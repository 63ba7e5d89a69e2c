"""The cascade backend's word alignment, transcript normalisation and alignment-only feedback, on fixed transcripts."""

from __future__ import annotations

import numpy as np
import pytest

from inference_daemon.backends.base import SAMPLE_RATE, AssessmentRequest
from inference_daemon.backends.cascade import CascadeBackend
from inference_daemon.backends.cascade.prompt import describe_alignment
from inference_daemon.backends.cascade.transcript import HeardWord, Transcript
from inference_daemon.backends.cascade.word_alignment import Alignment, align_words
from inference_daemon.feedback import ErrorType, WordStatus
from inference_daemon.pronunciation import target_words
from inference_daemon.sentence import split_words


def align(sentence: str, transcript: str) -> Alignment:
    return align_words(target_words(sentence), Transcript.from_text(transcript).pronounced_words())


def statuses(alignment: Alignment) -> list[str]:
    return [word.status.value for word in alignment.words]


def test_exact_reading_is_all_ok_whatever_the_case_and_punctuation() -> None:
    alignment = align("The cat sat on the mat.", "the Cat, sat on the mat!")
    assert statuses(alignment) == ["ok"] * 6
    assert alignment.insertions == ()
    assert all(not word.errors for word in alignment.words)


def test_substitution_gives_phone_errors_against_the_heard_word() -> None:
    alignment = align("I think so.", "I sink so.")
    think = alignment.words[1]
    assert statuses(alignment) == ["ok", "mispronounced", "ok"]
    assert think.heard_tokens == ("sink",)
    assert [(e.type, e.expected, e.heard, e.position) for e in think.errors] == [
        (ErrorType.substitution, "TH", "S", 0)
    ]


def test_omission_marks_the_word_missing_with_every_phone_deleted() -> None:
    alignment = align("I like big dogs", "I like dogs")
    big = alignment.words[2]
    assert statuses(alignment) == ["ok", "ok", "missing", "ok"]
    assert big.heard_tokens == ()
    assert [e.type for e in big.errors] == [ErrorType.deletion] * len(big.target.phones)
    assert [e.expected for e in big.errors] == big.target.phones


def test_insertions_between_words_and_at_the_edges_belong_to_no_word() -> None:
    alignment = align("the cat sat", "um the cat really sat okay")
    assert statuses(alignment) == ["ok", "ok", "ok"]
    assert [(i.before, i.tokens) for i in alignment.insertions] == [
        (0, ("um",)), (2, ("really",)), (3, ("okay",))
    ]
    assert [i.heard_words for i in alignment.insertions] == [(0,), (3,), (5,)]


def test_a_repeated_word_read_once_leaves_exactly_one_occurrence_missing() -> None:
    alignment = align("the the cat", "the cat")
    assert sorted(statuses(alignment)) == ["missing", "ok", "ok"]
    assert alignment.words[2].status is WordStatus.ok


def test_a_repeated_word_read_twice_is_an_insertion_not_a_substitution() -> None:
    alignment = align("I said no", "I said no no")
    assert statuses(alignment) == ["ok", "ok", "ok"]
    assert [i.tokens for i in alignment.insertions] == [("no",)]


def test_numbers_match_whether_written_as_digits_or_words() -> None:
    assert statuses(align("I have 3 cats and 2 dogs.", "i have three cats and two dogs")) == ["ok"] * 7
    assert statuses(align("It costs twenty dollars", "It costs $20.")) == ["ok"] * 4


def test_a_number_read_as_another_number_is_a_substitution() -> None:
    alignment = align("I have 3 cats", "I have four cats")
    assert statuses(alignment) == ["ok", "ok", "mispronounced", "ok"]
    assert alignment.words[2].heard_tokens == ("four",)


def test_a_multi_token_word_keeps_words_heard_inside_it() -> None:
    alignment = align("I paid $5.", "I paid five uh dollars")
    amount = alignment.words[2]
    assert amount.status is WordStatus.mispronounced
    assert amount.heard_tokens == ("five", "uh", "dollars")
    extra_phones = len(amount.heard_phones) - len(amount.target.phones)
    assert [e.type for e in amount.errors] == [ErrorType.insertion] * extra_phones
    assert alignment.insertions == ()


def test_a_homophone_counts_as_heard_correctly() -> None:
    assert statuses(align("Their house is there.", "There house is their.")) == ["ok"] * 4


def test_the_heard_word_lines_up_with_the_target_word_it_sounds_most_like() -> None:
    alignment = align("big red dog", "rod")
    assert statuses(alignment) == ["missing", "mispronounced", "missing"]
    assert alignment.words[1].heard_tokens == ("rod",)


def test_nothing_heard_leaves_every_word_missing() -> None:
    assert statuses(align("Good morning", "")) == ["missing", "missing"]


def test_transcript_normalisation_is_lower_case_without_punctuation_with_digits_spelled_out() -> None:
    assert Transcript.from_text("I'm 3, OK? Well-known.").normalized() == "i'm three ok well known"
    assert Transcript.from_text("...").normalized() == ""


def test_timed_chunks_become_words_and_a_chunk_without_a_word_is_dropped() -> None:
    transcript = Transcript.from_timed_chunks([(" Hello,", 0.1, 0.4), (" —", 0.4, 0.5), (" world!", 0.5, 0.9)])
    assert transcript.words == (HeardWord("Hello", 0.1, 0.4), HeardWord("world", 0.5, 0.9))


def test_the_llm_sees_every_word_the_phone_differences_and_the_extra_words() -> None:
    description = describe_alignment(align("I think so.", "I sink so um"))
    lines = description.splitlines()
    assert lines[0].startswith('1. "I"') and lines[0].endswith("heard as expected")
    assert '"think" (TH IH NG K): heard "sink" (S IH NG K); TH heard as S' in lines[1]
    assert lines[3] == 'Extra words heard at the end: "um"'


class FixedRecognizer:
    """Hears the same timed words whatever the audio."""

    def __init__(self, words: list[HeardWord]) -> None:
        self.words = words

    @property
    def model(self) -> str:
        return "fixed"

    @property
    def device(self) -> str:
        return "none"

    def load(self) -> None:
        return None

    def transcribe(self, audio: np.ndarray) -> Transcript:
        return Transcript(tuple(self.words))


def request(text: str, language: str | None = None) -> AssessmentRequest:
    return AssessmentRequest(audio=np.zeros(2 * SAMPLE_RATE, dtype=np.float32), text=text, request_id="r1",
                             native_language=language)


def test_without_an_llm_the_alignment_is_the_feedback_with_times_and_advice() -> None:
    backend = CascadeBackend(FixedRecognizer([
        HeardWord("um", 0.0, 0.1), HeardWord("I", 0.1, 0.2), HeardWord("sink", 0.3, 0.6),
    ]))
    backend.load()
    document = backend.assess(request("I think so.", "es"))
    assert [w.text for w in document.words] == split_words("I think so.")
    assert [w.status for w in document.words] == [WordStatus.ok, WordStatus.mispronounced, WordStatus.missing]
    think, so = document.words[1], document.words[2]
    assert (think.start, think.end) == (0.3, 0.6)
    assert think.heard_phones == ["S", "IH", "NG", "K"]
    assert think.explanation is not None and think.explanation.startswith("The recogniser heard “sink”.")
    assert think.suggestion
    assert 0 < think.score < 100
    assert so.score == 0 and so.start is None and so.explanation
    assert document.score == pytest.approx(sum(w.score for w in document.words) / 3, abs=0.05)
    assert "“um” before “I”" in document.summary
    assert document.backend == "cascade" and document.warnings == []


def test_nothing_heard_is_warned_about() -> None:
    backend = CascadeBackend(FixedRecognizer([]))
    document = backend.assess(request("Good morning"))
    assert all(w.status is WordStatus.missing for w in document.words)
    assert document.score == 0
    assert document.warnings
