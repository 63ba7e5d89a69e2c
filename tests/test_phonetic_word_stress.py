"""Word stress (issue 15): the dictionary's stress, the syllable that stood out, the error and its advice.

One espeak-ng sentence is read twice, as written and with "banana" stressed on its first syllable;
the rest are unit checks of the stress table, the syllable spelling, the judgement and the files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from inference_daemon.backends.phonetic.word_stress import (
    STRESS_FEATURES,
    WORD_STRESS_PATH,
    WordStressModel,
    clear_reversal,
    default_word_stress_model,
    leads,
)
from inference_daemon.calibration import CalibrationMismatch, LogisticModel
from inference_daemon.feedback import ErrorType, FeedbackDocument, PhoneError, WordFeedback, WordStatus
from inference_daemon.phonetics import advise_word
from inference_daemon.phonetics.syllables import stress_shape
from inference_daemon.pronunciation.stress import StressTable, shown_stress
from inference_daemon.render import render_feedback
from tests.espeak_audio import synthesize
from tests.minimal_pairs import assess_wav
from tests.phonetic_fixtures import loaded_backend, needs_espeak
from tools import build_stress_table

SENTENCE = "She bought a banana and a computer at the hotel"
# espeak-ng phoneme input: "banana" with the stress moved to its first syllable (and the full vowel a
# learner who stresses it that way says there), the other words as written.
FIRST_SYLLABLE_BANANA = "She bought a [[b'an@n@]] and a computer at the hotel"
BANANA = SENTENCE.split().index("banana")


@cache
def _assessed(text: str) -> FeedbackDocument:
    wav = synthesize(text, "en-us")
    try:
        return assess_wav(loaded_backend(), wav, SENTENCE)
    finally:
        wav.unlink()


def _stress_errors(document: FeedbackDocument) -> dict[str, list[PhoneError]]:
    return {word.text: [e for e in word.errors if e.type is ErrorType.stress] for word in document.words
            if any(e.type is ErrorType.stress for e in word.errors)}


@needs_espeak
def test_a_word_stressed_on_the_wrong_syllable_gets_a_stress_error_the_learner_can_act_on() -> None:
    document = _assessed(FIRST_SYLLABLE_BANANA)
    banana = document.words[BANANA]
    assert banana.status is WordStatus.mispronounced
    stress = [e for e in banana.errors if e.type is ErrorType.stress]
    assert len(stress) == 1, banana.errors
    # B AH N AE N AH: the stress belongs on the vowel at 3 and was heard on the vowel at 1.
    assert (stress[0].position, stress[0].stressed_position) == (3, 1)
    assert "ba-NA-na" in (banana.explanation or "")
    # The score agrees that something is wrong: under the word's score when stressed as written.
    assert banana.score < _assessed(SENTENCE).words[BANANA].score
    # The command line's readable output says which syllable carried the stress.
    assert "stress on the first syllable, not the second" in render_feedback(document)
    # The dictionary's stress comes with the word, so a client can show /bənænə/ rather than /bʌnænʌ/.
    assert banana.expected_stress == "010"
    assert document.words[0].expected_stress == "1"  # "She": one stressed syllable


@needs_espeak
def test_a_reading_stressed_as_written_gets_no_stress_error() -> None:
    assert _stress_errors(_assessed(SENTENCE)) == {}


def test_the_dictionary_says_which_syllables_may_carry_the_stress() -> None:
    table = StressTable.default()
    assert table.primary_syllables("banana", 3) == {1}
    assert table.primary_syllables("Computer", 3) == {1}
    # Noun RE-cord and verb re-CORD: either is right when the sentence does not say which.
    assert table.primary_syllables("record", 2) == {0, 1}
    assert table.primary_syllables("banana", 2) is None  # not known in that many syllables
    assert table.primary_syllables("cat", 1) is None
    assert table.primary_syllables("zzyzzx", 2) is None


def test_the_dictionary_stress_is_given_for_showing_reduced_vowels() -> None:
    table = StressTable.default()
    assert table.stress_digits("banana", 3) == "010"
    assert table.stress_digits("The", 1) == "0"  # its citation form is the reduced one
    assert table.stress_digits("cat", 1) == "1"  # left out of the table: one stressed syllable
    assert table.stress_digits("record", 2) is None  # RE-cord or re-CORD: the sentence does not say
    assert table.stress_digits("zzyzzx", 2) is None
    assert shown_stress(("banana",), ["B", "AH", "N", "AE", "N", "AH"]) == "010"
    assert shown_stress(("three", "rd"), ["TH", "ER", "D"]) is None  # several tokens share the phones


def test_expected_stress_is_sent_only_when_known() -> None:
    word: dict[str, Any] = {"index": 0, "text": "the", "score": 90.0, "status": "ok", "expected_phones": ["DH", "AH"]}
    assert "expected_stress" not in json.loads(WordFeedback.model_validate(word).model_dump_json())
    stressed = WordFeedback.model_validate({**word, "expected_stress": "0"})
    assert json.loads(stressed.model_dump_json())["expected_stress"] == "0"
    with pytest.raises(ValueError):
        WordFeedback.model_validate({**word, "expected_stress": "x"})


def test_the_table_builder_keeps_each_words_stress_patterns(tmp_path: Path) -> None:
    lines = [";;; comment", "banana B AH0 N AE1 N AH0", "cat K AE1 T", "record R EH1 K ER0 D",
             "record(2) R IH0 K AO1 R D", "record(3) R EH1 K ER0 D # same pattern again", "the DH AH0",
             "the(2) DH AH1"]
    # "cat": one stressed syllable only, what a word left out stands for.
    assert build_stress_table.stress_patterns(lines) == {"banana": ["010"], "record": ["10", "01"],
                                                         "the": ["0", "1"]}
    source = tmp_path / "cmudict.dict"
    source.write_text("\n".join(lines) + "\n", encoding="latin-1")
    output = tmp_path / "table.txt.gz"
    assert build_stress_table.main([str(source), "--output", str(output)]) == 0
    assert StressTable.from_file(output).primary_syllables("record", 2) == {0, 1}


@pytest.mark.parametrize(
    ("word", "syllables", "stressed", "shape"),
    [("banana", 3, 1, "ba-NA-na"), ("computer", 3, 1, "com-PU-ter"), ("record", 2, 1, "re-CORD"),
     ("table", 2, 0, "TA-ble"), ("mother", 2, 0, "MO-ther"), ("hotel", 2, 1, "ho-TEL"),
     ("idea", 3, 1, None), ("make", 2, 0, None)],
)
def test_the_spelling_is_split_into_syllables_or_not_at_all(word: str, syllables: int, stressed: int,
                                                             shape: str | None) -> None:
    assert stress_shape(word, syllables, stressed) == shape


def test_the_advice_names_the_syllable_to_stress() -> None:
    error = PhoneError(type=ErrorType.stress, expected="AE", heard="AH", position=3, stressed_position=1)
    explanation, suggestion = advise_word("banana", ["B", "AH", "N", "AE", "N", "AH"], [error])
    assert explanation is not None and suggestion is not None
    assert "first syllable" in explanation and "second" in explanation
    assert suggestion.startswith("Stress the second syllable: ba-NA-na.")
    # A spelling that cannot be split is shown as the dictionary's IPA, the stress mark in place.
    idea = PhoneError(type=ErrorType.stress, expected="IY", heard="AY", position=2, stressed_position=0)
    assert "/aɪˈdiə/" in (advise_word("idea", ["AY", "D", "IY", "AH"], [idea])[1] or "")


def test_leads_compare_a_syllable_with_the_strongest_other() -> None:
    cues = np.asarray([[-2.0, -15.0, 1.0, 1.5], [-3.0, -20.0, np.nan, np.nan], [-2.5, -18.0, 0.0, 0.5]])
    np.testing.assert_allclose(leads(cues, 0), [0.5, 3.0, 1.0, 1.0])
    # An unvoiced syllable says nothing about pitch: those leads are 0.
    np.testing.assert_allclose(leads(cues, 1), [-1.0, -5.0, 0.0, 0.0])


def _model(threshold: float) -> WordStressModel:
    """Wrong stress is likely when the expected syllable trails the others (negative leads)."""
    size = len(STRESS_FEATURES)
    weights = np.asarray([-2.0, -0.5, -1.0, 0.0, 0.0, 0.0])
    return WordStressModel(LogisticModel(STRESS_FEATURES, np.zeros(size), np.ones(size), weights, -1.0),
                           threshold, {})


def test_the_judgement_names_the_syllable_that_stood_out_and_needs_it_to_differ() -> None:
    # The first syllable leads, but not by the clear-reversal margins (only 1 dB louder).
    first_stressed = np.asarray([[-2.0, -15.0, 1.0, 1.5], [-3.0, -16.0, 0.0, 0.0], [-3.0, -19.0, -0.5, 0.0]])
    judged = _model(0.5).judge(first_stressed, frozenset({1}), 90.0)
    assert judged.stressed == 0 and judged.wrong and judged.probability > 0.5
    # The same reading of a word whose dictionary stresses the first syllable is right.
    assert not _model(0.5).judge(first_stressed, frozenset({0}), 90.0).wrong
    # Below the threshold nothing is flagged, whichever syllable stood out.
    assert not _model(0.999).judge(first_stressed, frozenset({1}), 90.0).wrong


def test_a_clear_reversal_is_flagged_whatever_the_model_says() -> None:
    # Twice as long, 5 dB louder and a semitone higher than the dictionary's stressed syllable.
    reversed_cues = np.asarray([[-2.0, -15.0, 1.0, 1.5], [-3.0, -20.0, 0.0, 0.0]])
    assert clear_reversal(reversed_cues, frozenset({1})) == 0
    judged = _model(0.999).judge(reversed_cues, frozenset({1}), 99.0)
    assert judged.wrong and judged.stressed == 0
    # Two of the three cues are not enough, and nothing is reversed where the dictionary agrees.
    assert clear_reversal(reversed_cues * [1, 1, 0, 0], frozenset({1})) is None
    assert clear_reversal(reversed_cues, frozenset({0})) is None


def test_the_shipped_model_was_fitted_on_the_features_computed_and_says_how(tmp_path: Path) -> None:
    model = default_word_stress_model()
    assert model is not None and 0 < model.threshold < 1
    cv = model.provenance["speaker_cv"]["shipped"]
    assert 0 < cv["precision"] <= 1 and 0 < cv["recall"] <= 1
    assert model.provenance["wrong_stress"] > 0
    data = json.loads(WORD_STRESS_PATH.read_text(encoding="utf-8"))
    data["model"]["features"] = ["something", "else"]
    other = tmp_path / "word_stress.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CalibrationMismatch, match="calibrate_word_stress"):
        WordStressModel.load(other)


def test_stressed_position_is_sent_only_with_a_stress_error() -> None:
    """Other errors serialise exactly as before the field existed."""
    substitution = PhoneError(type=ErrorType.substitution, expected="TH", heard="S", position=0)
    assert "stressed_position" not in json.loads(substitution.model_dump_json())
    stress = PhoneError(type=ErrorType.stress, expected="AE", heard="AH", position=3, stressed_position=1)
    assert json.loads(stress.model_dump_json())["stressed_position"] == 1
