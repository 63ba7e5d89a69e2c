"""Every word of a target sentence gets ARPAbet phones: from CMUdict, derived from it, or guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference_daemon.pronunciation import ARPABET_PHONES, Lexicon, TargetWord, strip_stress, target_words
from inference_daemon.pronunciation.g2p import GraphemeToPhoneme
from inference_daemon.pronunciation.lexicon import pocketsphinx_dictionary_path
from inference_daemon.sentence import split_words

SMALL_DICTIONARY = """\
fox F AA1 K S
cup K AH1 P
zebra Z IY1 B R AH0
teachers T IY1 CH ER0 Z
blue B L UW1
green G R IY1 N
well-known W EH1 L N OW1 N
read R EH1 D
read(2) R IY1 D
"""


@pytest.fixture(scope="module")
def rules_only_lexicon() -> Lexicon:
    """PocketSphinx's dictionary with the spelling-rule fallback: fast and the same on every machine."""
    return Lexicon.from_dictionary_file(pocketsphinx_dictionary_path(), GraphemeToPhoneme(None))


@pytest.fixture
def small_lexicon(tmp_path: Path) -> Lexicon:
    path = tmp_path / "small.dict"
    path.write_text(SMALL_DICTIONARY, encoding="utf-8")
    return Lexicon.from_dictionary_file(path, GraphemeToPhoneme(None))


def test_pocketsphinx_dictionary_uses_only_the_39_phones_without_stress() -> None:
    lexicon = Lexicon.default()
    for word in ["the", "pronunciation", "thought", "measure", "choice", "yes", "water"]:
        for variant in lexicon.lookup(word):
            assert variant and set(variant) <= set(ARPABET_PHONES), (word, variant)


def test_lookup_gives_every_variant_primary_first_and_ignores_case(small_lexicon: Lexicon) -> None:
    assert small_lexicon.lookup("read") == [("R", "EH", "D"), ("R", "IY", "D")]
    assert small_lexicon.lookup("READ") == small_lexicon.lookup("read")
    assert small_lexicon.lookup("zebra") == [("Z", "IY", "B", "R", "AH")]
    assert small_lexicon.lookup("unknownish") == []


def test_curly_apostrophe_finds_the_straight_entry() -> None:
    assert Lexicon.default().lookup("don’t") == Lexicon.default().lookup("don't") != []


def test_possessives_of_known_words_are_derived(small_lexicon: Lexicon) -> None:
    assert small_lexicon.lookup("fox's") == []
    assert small_lexicon.pronounce("fox's") == [("F", "AA", "K", "S", "IH", "Z")]
    assert small_lexicon.pronounce("cup’s") == [("K", "AH", "P", "S")]
    assert small_lexicon.pronounce("zebra's") == [("Z", "IY", "B", "R", "AH", "Z")]
    assert small_lexicon.pronounce("teachers'") == [("T", "IY", "CH", "ER", "Z")]


def test_hyphenated_word_is_split_only_when_the_whole_is_unknown(small_lexicon: Lexicon) -> None:
    known, unknown = small_lexicon.target_words("well-known blue-green")
    assert known.tokens == ("well-known",)
    assert unknown.tokens == ("blue", "green")
    assert unknown.phones == ["B", "L", "UW", "G", "R", "IY", "N"]
    assert not unknown.from_g2p


def test_unknown_word_is_guessed_and_flagged(small_lexicon: Lexicon) -> None:
    (word,) = small_lexicon.target_words("blorpity")
    assert word.from_g2p
    assert word.phones[:2] == ["B", "L"]
    assert small_lexicon.pronounce("blorpity") == [tuple(word.phones)]


def test_sentence_with_numbers_and_abbreviations(rules_only_lexicon: Lexicon) -> None:
    words = rules_only_lexicon.target_words("Mr. Smith paid $5 at 10:30, don’t you know?")
    assert [word.text for word in words] == ["Mr", "Smith", "paid", "$5", "at", "10:30", "don’t", "you", "know"]
    by_text = {word.text: word for word in words}
    assert by_text["$5"].tokens == ("five", "dollars")
    assert by_text["$5"].phones == ["F", "AY", "V", "D", "AA", "L", "ER", "Z"]
    assert by_text["10:30"].tokens == ("ten", "thirty")
    assert by_text["Mr"].phones == ["M", "IH", "S", "T", "ER"]
    assert by_text["don’t"].variants[0] == tuple(rules_only_lexicon.lookup("don't"))
    assert not any(word.from_g2p for word in words)


def test_target_word_phones_concatenate_the_primary_pronunciations(rules_only_lexicon: Lexicon) -> None:
    (word,) = rules_only_lexicon.target_words("1999")
    assert word.tokens == ("nineteen", "ninety", "nine")
    assert word.phones == [phone for token in word.tokens for phone in rules_only_lexicon.lookup(token)[0]]
    assert all(variants[0] == primary for variants, primary in zip(word.variants, word.pronunciations, strict=True))


def test_module_function_uses_the_shared_default_lexicon() -> None:
    assert Lexicon.default() is Lexicon.default()
    sentence = "The 3 teachers' well-known zorblings"
    assert target_words(sentence) == Lexicon.default().target_words(sentence)


def test_strip_stress() -> None:
    assert strip_stress("AH0") == "AH"
    assert strip_stress("EY1") == "EY"
    assert strip_stress("NG") == "NG"


def check_target_words(lexicon: Lexicon, sentence: str) -> list[TargetWord]:
    words = lexicon.target_words(sentence)
    assert [word.text for word in words] == split_words(sentence)
    for index, word in enumerate(words):
        assert word.index == index
        assert len(word.tokens) == len(word.pronunciations) == len(word.variants) >= 1
        assert word.phones and set(word.phones) <= set(ARPABET_PHONES), word
    return words


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
            st.text(alphabet="abcxyz0123456789$£%&:.,'’- ", max_size=8),
            st.sampled_from(["Mr. ", "No. 7", "St ", "e.g. ", "21st", "10:30", "$5.50", "blorp's", "x-ray", " "]),
        ),
        max_size=10,
    ).map("".join)
)
def test_every_word_of_any_sentence_gets_phones(rules_only_lexicon: Lexicon, sentence: str) -> None:
    check_target_words(rules_only_lexicon, sentence)


def test_odd_words_get_phones_with_the_default_lexicon() -> None:
    words = check_target_words(Lexicon.default(), "привет 日本 ௰ xkcd ½ ©2024 ‘quoted’ — ... %50")
    by_text = {word.text: word for word in words}
    assert by_text["quoted"].tokens == ("quoted",)
    assert by_text["xkcd"].from_g2p
