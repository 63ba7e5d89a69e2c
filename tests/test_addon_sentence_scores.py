"""Which delivery scores the card shows, when the weakest one earns a tip, and how stress errors are counted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.anki_support.addon_import import addon_module
from tests.anki_support.documents import daemon_document, stress_document

document = addon_module("document")
sentence_scores = addon_module("sentence_scores")
stress = addon_module("stress")


def feedback(**changes: Any) -> Any:
    return document.parse_feedback(daemon_document(**changes))


def read_at(sounds: float, **changes: Any) -> Any:
    """A document whose words that were read all score ``sounds``, with a lower overall score: the
    tip compares with the sounds, not with the score (which weighs delivery too)."""
    data = daemon_document(**changes, score=max(sounds - 30, 0))
    for word in data["words"]:
        if word["status"] != "missing":
            word["score"] = sounds
    return document.parse_feedback(data)


@pytest.mark.parametrize(("scores", "tip"), [
    ({"sounds": 80, "fluency": 59, "prosody": 75}, "fluency"),
    ({"sounds": 80, "fluency": 60, "prosody": 75}, None),  # 60 is not low
    ({"sounds": 65, "fluency": 56, "prosody": 75}, None),  # low, but not 10 below the sounds' accuracy
    ({"sounds": 66, "fluency": 56, "prosody": 75}, "fluency"),  # exactly 10 below
    ({"sounds": 90, "fluency": 45, "prosody": 40}, "prosody"),  # the weaker of the two
    ({"sounds": 90, "fluency": 40, "prosody": 40}, "fluency"),  # a tie: pauses are easier to change
    ({"sounds": 40, "fluency": 35, "prosody": 32}, None),  # everything is low: the word tips matter more
    ({"sounds": 40, "fluency": 35, "completeness": 55}, "completeness"),  # words left out come first
    ({"sounds": 80, "fluency": None, "prosody": None, "completeness": 60}, None),
    ({"sounds": 80, "fluency": None, "prosody": 30}, "prosody"),
])
def test_only_a_clearly_low_delivery_score_gets_a_tip(scores: dict[str, Any], tip: str | None) -> None:
    given = sentence_scores.delivery_tip(read_at(**scores))
    assert (given.kind if given else None) == tip
    if given:
        assert given.text == sentence_scores.TIPS[tip]


def test_completeness_is_shown_only_when_something_was_left_out() -> None:
    kinds = [shown.kind for shown in sentence_scores.shown_scores(feedback(fluency=70, prosody=71, completeness=100))]
    assert kinds == ["accuracy", "fluency", "prosody"]
    kinds = [shown.kind for shown in sentence_scores.shown_scores(feedback(completeness=99.5))]
    assert kinds == ["accuracy", "completeness"]
    assert sentence_scores.shown_scores(feedback(completeness=100)) == []


@pytest.mark.parametrize(("position", "syllable"),
                         [(1, 1), (3, 2), (5, 3), (0, None), (6, None), (7, None), (None, None)])
def test_syllables_are_counted_by_vowels(position: int | None, syllable: int | None) -> None:
    assert stress.syllable_number(["B", "AH", "N", "AE", "N", "AH", "Z"], position) == syllable


@pytest.mark.parametrize(("number", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                              (12, "12th"), (21, "21st"), (22, "22nd")])
def test_ordinals(number: int, text: str) -> None:
    assert stress.ordinal(number) == text


def test_the_stress_note_names_both_syllables_when_the_document_says_which_was_stressed() -> None:
    word = document.parse_feedback(stress_document()).words[2]
    assert stress.stress_note(word.stress_error, word.expected_phones) == \
        "stress on the wrong syllable: put it on the 2nd, not the 1st"
    unknown = document.PhoneError(type="stress", expected="AE", heard=None, position=3)
    assert stress.stress_note(unknown, word.expected_phones) == "stress on the wrong syllable: put it on the 2nd"
