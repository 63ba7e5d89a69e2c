"""Unknown words are pronounced offline (espeak-ng, else spelling rules) and IPA maps onto ARPAbet."""

from __future__ import annotations

import shutil
import string
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inference_daemon.pronunciation import ARPABET_PHONES, Lexicon, arpabet_to_ipa, ipa_to_arpabet
from inference_daemon.pronunciation import g2p as g2p_module
from inference_daemon.pronunciation.g2p import GraphemeToPhoneme
from inference_daemon.pronunciation.letter_to_sound import letter_to_sound
from inference_daemon.pronunciation.lexicon import pocketsphinx_dictionary_path

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")
REAL_RUN = subprocess.run


class CountingRun:
    """Wraps subprocess.run and counts the espeak-ng processes started."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.calls += 1
        result: subprocess.CompletedProcess[str] = REAL_RUN(*args, **kwargs)
        return result


@needs_espeak
def test_espeak_pronounces_a_made_up_word() -> None:
    phones = GraphemeToPhoneme(ESPEAK).pronounce("blorpity")
    assert phones[:2] == ("B", "L")
    assert "P" in phones and set(phones) <= set(ARPABET_PHONES)


@needs_espeak
def test_all_unknown_words_of_a_sentence_share_one_espeak_process(monkeypatch: pytest.MonkeyPatch) -> None:
    counting_run = CountingRun()
    monkeypatch.setattr(g2p_module.subprocess, "run", counting_run)
    lexicon = Lexicon.from_dictionary_file(pocketsphinx_dictionary_path(), GraphemeToPhoneme(ESPEAK))
    words = lexicon.target_words("The blorpity zorbles fnarked a glimpish wug.")
    assert counting_run.calls == 1
    guessed = {word.text: word.phones for word in words if word.from_g2p}
    assert set(guessed) == {"blorpity", "zorbles", "fnarked", "glimpish", "wug"}
    assert guessed["zorbles"][0] == "Z" and guessed["wug"] == ["W", "AH", "G"]

    lexicon.target_words("blorpity wug")
    assert counting_run.calls == 1, "cached words must not start espeak-ng again"


def test_without_espeak_detect_falls_back_to_spelling_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(g2p_module.shutil, "which", lambda name: None)
    counting_run = CountingRun()
    monkeypatch.setattr(g2p_module.subprocess, "run", counting_run)
    g2p = GraphemeToPhoneme.detect()
    phones = g2p.pronounce("blorpity")
    assert phones == letter_to_sound("blorpity")
    assert phones[:2] == ("B", "L")
    assert counting_run.calls == 0


def test_a_failing_espeak_falls_back_to_spelling_rules(tmp_path: Path) -> None:
    broken = GraphemeToPhoneme(str(tmp_path / "no-such-espeak-ng"))
    assert broken.pronounce_many(["shipping", "zorbly"]) == {
        "shipping": letter_to_sound("shipping"),
        "zorbly": letter_to_sound("zorbly"),
    }


def test_espeak_output_that_does_not_line_up_with_the_words_is_not_trusted(tmp_path: Path) -> None:
    one_line_espeak = tmp_path / "espeak-ng"
    one_line_espeak.write_text("#!/bin/sh\ncat > /dev/null\necho 'z_ˈɔː_ɹ_b'\n", encoding="utf-8")
    one_line_espeak.chmod(0o755)
    g2p = GraphemeToPhoneme(str(one_line_espeak))
    assert g2p.pronounce("zorb") == ("Z", "AO", "R", "B")
    assert g2p.pronounce_many(["shipping", "zorbly"]) == {
        "shipping": letter_to_sound("shipping"),
        "zorbly": letter_to_sound("zorbly"),
    }


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("blorpity", ("B", "L", "AO", "R", "P", "IH", "T", "IY")),
        ("shipping", ("SH", "IH", "P", "IH", "NG")),
        ("thinking", ("TH", "IH", "NG", "K", "IH", "NG")),
        ("phone", ("F", "OW", "N")),
        ("make", ("M", "EY", "K")),
        ("cheese", ("CH", "IY", "S")),
        ("night", ("N", "AY", "T")),
        ("knock", ("N", "AA", "K")),
        ("station", ("S", "T", "EY", "SH", "AH", "N")),
        ("cell", ("S", "EH", "L")),
        ("gem", ("JH", "EH", "M")),
        ("boat", ("B", "OW", "T")),
        ("food", ("F", "UW", "D")),
        ("rain", ("R", "EY", "N")),
        ("my", ("M", "AY")),
        ("happy", ("HH", "AE", "P", "IY")),
    ],
)
def test_spelling_rules_read_common_patterns(word: str, expected: tuple[str, ...]) -> None:
    assert letter_to_sound(word) == expected


def test_spelling_rules_give_phones_for_every_letter_and_ignore_other_characters() -> None:
    for letter in string.ascii_lowercase:
        phones = letter_to_sound(letter)
        assert phones and set(phones) <= set(ARPABET_PHONES), letter
    assert letter_to_sound("Don't") == letter_to_sound("dont")
    assert letter_to_sound("'-") == ()


@pytest.mark.parametrize("phone", ARPABET_PHONES)
def test_every_arpabet_phone_round_trips_through_ipa(phone: str) -> None:
    variants = arpabet_to_ipa(phone)
    assert ipa_to_arpabet(variants[0]) == [phone]
    for variant in variants:
        (reading,) = ipa_to_arpabet(variant)
        assert variant in arpabet_to_ipa(reading), (phone, variant, reading)


@pytest.mark.parametrize(
    ("ipa", "expected"),
    [
        ("ɹ", ["R"]),
        ("r", ["R"]),
        ("ɚ", ["ER"]),
        ("ɝ", ["ER"]),
        ("ɜː", ["ER"]),
        ("kwˈɜːk", ["K", "W", "ER", "K"]),
        ("iː", ["IY"]),
        ("e͡ɪ", ["EY"]),
        ("aɪ aʊ ɔɪ oʊ əʊ", ["AY", "AW", "OY", "OW", "OW"]),
        ("t͡ʃ d͡ʒ", ["CH", "JH"]),
        ("bˈʌʔn̩", ["B", "AH", "T", "AH", "N"]),
        ("wˈɔːɾɚ", ["W", "AO", "T", "ER"]),
        ("ɐbˈaʊt", ["AH", "B", "AW", "T"]),
        ("b_l_ˈoːɹ_p_ᵻ_ɾ_i", ["B", "L", "AO", "R", "P", "IH", "T", "IY"]),
        ("pʰæt", ["P", "AE", "T"]),
    ],
)
def test_ipa_variants_are_read_as_arpabet(ipa: str, expected: list[str]) -> None:
    assert ipa_to_arpabet(ipa) == expected


def test_arpabet_to_ipa_ignores_stress_and_lists_variants() -> None:
    assert arpabet_to_ipa("ER0")[:2] == ["ɝ", "ɚ"]
    assert "ɾ" in arpabet_to_ipa("T") and "ɾ" in arpabet_to_ipa("D")
    with pytest.raises(ValueError, match="ARPAbet"):
        arpabet_to_ipa("SIL")
