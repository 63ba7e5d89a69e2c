"""The competition pass: competitors come from the knowledge base, a close misreading loses to one, and the
winner becomes the word's error."""

from __future__ import annotations

from pathlib import Path

import pytest

from inference_daemon.audio import decode_audio
from inference_daemon.backends.phonetic.alignment import AlignedPhone, AlignedWord
from inference_daemon.backends.phonetic.analysis import analyse
from inference_daemon.backends.phonetic.backend import word_pronunciations
from inference_daemon.backends.phonetic.competition import Competitor, WordContest, competitors
from inference_daemon.backends.phonetic.decoders import thread_decoders
from inference_daemon.backends.phonetic.errors import judge_word
from inference_daemon.backends.phonetic.features import PhoneEvidence, phone_evidence
from inference_daemon.feedback import ErrorType, PhoneError, WordStatus
from inference_daemon.phonetics import load_knowledge_base
from inference_daemon.pronunciation import target_words
from tests.espeak_audio import synthesize
from tests.phonetic_fixtures import needs_espeak


def test_competitors_substitute_one_phone_drop_the_final_consonant_or_add_a_vowel() -> None:
    found = competitors([["TH", "IH", "NG", "K"]])
    phones = {c.phones for c in found}
    assert ("S", "IH", "NG", "K") in phones  # TH->S, a knowledge-base confusion
    assert ("TH", "IH", "N", "K") in phones  # NG->N
    assert Competitor(("TH", "IH", "NG"), 3) in found  # final consonant dropped
    assert Competitor(("TH", "IH", "NG", "K", "AH"), 4) in found  # vowel added after it
    confusions = load_knowledge_base().confusions
    for competitor in found:
        if len(competitor.phones) == 4:
            position = competitor.position
            assert f"{['TH', 'IH', 'NG', 'K'][position]}->{competitor.phones[position]}" in confusions


def test_a_valid_pronunciation_is_never_a_competitor() -> None:
    either = [["IY", "DH", "ER"], ["AY", "DH", "ER"]]
    assert all(c.phones not in {("IY", "DH", "ER"), ("AY", "DH", "ER")} for c in competitors(either))


def test_a_word_without_known_errors_has_no_competitors() -> None:
    assert competitors([["AY"]]) == []


@needs_espeak
def test_a_dropped_final_consonant_loses_to_its_competitor(tmp_path: Path) -> None:
    """ "bath" read as "bat" is closer to "ba(th)" without the TH, or with another final consonant,
    than to "bath": some competitor must beat the expected pronunciation, and the margin is negative."""
    sentence = "I need a bath now"
    audio = decode_audio(synthesize("I need a bat now", "en-us", tmp_path / "bat.wav").read_bytes())
    analysis = analyse(thread_decoders(), audio, [word_pronunciations(w) for w in target_words(sentence)])
    assert analysis is not None
    bath = analysis.contests[3]
    assert bath.winner is not None and bath.winner.position == 2
    assert bath.margin < 0
    assert analysis.evidence[3][2].heard != "TH"


def _word(phones: list[str], winner: Competitor | None) -> tuple[list[PhoneEvidence], WordContest]:
    contest = WordContest(-1.0 if winner else 1.0, (0.0,) * len(phones), winner, True)
    aligned = [AlignedPhone(phone, 10 * i, 8, -100) for i, phone in enumerate(phones)]
    return phone_evidence([AlignedWord(0, aligned)], [contest])[0], contest


@pytest.mark.parametrize(
    ("winner", "expected_error"),
    [
        (Competitor(("B", "AE", "N"), 0), PhoneError(type=ErrorType.substitution, expected="V", heard="B", position=0)),
        (Competitor(("V", "AE"), 2), PhoneError(type=ErrorType.deletion, expected="N", position=2)),
        (Competitor(("V", "AE", "N", "AH"), 3), PhoneError(type=ErrorType.insertion, heard="AH", position=3)),
    ],
)
def test_a_flagged_word_reports_what_its_winning_competitor_changed(
    winner: Competitor, expected_error: PhoneError
) -> None:
    evidence, contest = _word(["V", "AE", "N"], winner)
    verdict = judge_word(evidence, contest, [False, False, False], mispronounced=True)
    assert verdict.status is WordStatus.mispronounced
    assert verdict.errors == [expected_error]
    assert verdict.heard_phones == list(winner.phones)


def test_without_a_winning_competitor_a_wrong_phone_is_an_unclear_sound() -> None:
    evidence, contest = _word(["V", "AE", "N"], None)
    verdict = judge_word(evidence, contest, [False, True, False], mispronounced=True)
    assert verdict.errors == [PhoneError(type=ErrorType.substitution, expected="AE", position=1)]
    assert judge_word(evidence, contest, [False, True, False], mispronounced=False).status is WordStatus.ok
