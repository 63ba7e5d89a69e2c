"""Numbers, abbreviations, apostrophes and foreign characters become the tokens a speaker says."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference_daemon.pronunciation.normalize import normalize_sentence, spoken_tokens
from inference_daemon.sentence import split_words


def tokens_of(sentence: str) -> list[tuple[str, ...]]:
    return [word.tokens for word in normalize_sentence(sentence)]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("3", ["three"]),
        ("42", ["forty", "two"]),
        ("1,000", ["one", "thousand"]),
        ("007", ["zero", "zero", "seven"]),
        ("1st", ["first"]),
        ("21st", ["twenty", "first"]),
        ("2nd", ["second"]),
        ("100th", ["one", "hundredth"]),
        ("1999", ["nineteen", "ninety", "nine"]),
        ("2010", ["twenty", "ten"]),
        ("3.5", ["three", "point", "five"]),
        ("3.50", ["three", "point", "five", "zero"]),
        ("$5", ["five", "dollars"]),
        ("$1", ["one", "dollar"]),
        ("$5.50", ["five", "dollars", "and", "fifty", "cents"]),
        ("$0.99", ["ninety", "nine", "cents"]),
        ("£20", ["twenty", "pounds"]),
        ("5€", ["five", "euros"]),
        ("50%", ["fifty", "percent"]),
        ("2.5%", ["two", "point", "five", "percent"]),
        ("10:30", ["ten", "thirty"]),
        ("10:05", ["ten", "oh", "five"]),
        ("7:00", ["seven", "o'clock"]),
        ("10:30pm", ["ten", "thirty", "p.", "m."]),
    ],
)
def test_numbers_amounts_and_times_are_read_as_words(word: str, expected: list[str]) -> None:
    assert spoken_tokens(word) == expected


def test_very_long_numbers_are_read_digit_by_digit() -> None:
    assert spoken_tokens("12345678901234567890") == ["one", "two", "three", "four", "five", "six", "seven",
                                                      "eight", "nine", "zero"] * 2  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Mr. Smith", [("mister",), ("smith",)]),
        ("Mrs Jones", [("missus",), ("jones",)]),
        ("Dr. Who", [("doctor",), ("who",)]),
        ("apples, pears, etc.", [("apples",), ("pears",), ("et", "cetera")]),
        ("fruit, e.g. apples", [("fruit",), ("for", "example"), ("apples",)]),
        ("one, i.e. this", [("one",), ("that", "is"), ("this",)]),
        ("cats vs. dogs", [("cats",), ("versus",), ("dogs",)]),
        ("No. 5", [("number",), ("five",)]),
        ("No, thanks", [("no",), ("thanks",)]),
        ("St. Paul", [("saint",), ("paul",)]),
        ("Baker St.", [("baker",), ("street",)]),
        ("the U.S.A. team", [("the",), ("u.", "s.", "a."), ("team",)]),
        ("salt&pepper", [("salt", "and", "pepper")]),
    ],
)
def test_abbreviations_and_symbols_are_expanded(sentence: str, expected: list[tuple[str, ...]]) -> None:
    assert tokens_of(sentence) == expected


def test_curly_and_straight_apostrophes_give_the_same_token() -> None:
    assert tokens_of("don’t James’s") == tokens_of("don't James's") == [("don't",), ("james's",)]


def test_hyphenated_words_stay_whole_for_the_lexicon_to_split() -> None:
    assert tokens_of("a well-known covid-19 case") == [("a",), ("well-known",), ("covid", "nineteen"), ("case",)]


def test_accents_are_dropped_and_other_scripts_are_spelled_by_letter_name() -> None:
    assert tokens_of("naïve café Straße") == [("naive",), ("cafe",), ("strasse",)]
    assert tokens_of("αβ") == [("alpha", "beta")]
    assert tokens_of("٣ ５") == [("three",), ("five",)]


# Sentences glued together from arbitrary characters and the pieces the rules look for.
SENTENCES = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
        st.text(alphabet="0123456789$£€%&:.,'’- ", max_size=6),
        st.sampled_from(["Mr.", "No. ", "St ", "e.g.", "1st", "10:30", "$5.50", "blorp's", " "]),
    ),
    max_size=10,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(SENTENCES)
def test_every_word_yields_pronounceable_tokens(sentence: str) -> None:
    normalized = normalize_sentence(sentence)
    assert [word.text for word in normalized] == split_words(sentence)
    for word in normalized:
        assert word.tokens
        assert all(re.fullmatch(r"[a-z0-9'.-]*[a-z][a-z0-9'.-]*", token) for token in word.tokens), word
