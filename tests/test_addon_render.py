"""Feedback HTML: marked words with what was expected and heard, escaped text, players, night-mode styles."""

from __future__ import annotations

import html as html_module
import re
from datetime import datetime
from typing import Any

import pytest

from tests.anki_support.addon_import import addon_module
from tests.anki_support.documents import daemon_document, stress_document

document = addon_module("document")
render = addon_module("render")
phones = addon_module("phones")

WHEN = datetime(2026, 3, 4, 9, 30)


def rendered(recording: str | None = None, reference: str | None = None, **changes: Any) -> str:
    feedback = document.parse_feedback(daemon_document(**changes))
    return str(render.render_feedback(feedback, assessed_at=WHEN, recording_file=recording,
                                      reference_file=reference))


def test_mispronounced_and_missing_words_are_marked_inside_the_sentence() -> None:
    html = rendered()
    sentence = re.search(r'<div class="pc-sentence">(.*?)</div>', html).group(1)  # type: ignore[union-attr]
    assert sentence.startswith('<span class="pc-word">I</span> ')
    assert '<span class="pc-word pc-mispronounced" tabindex="0">think<span class="pc-tip">' in sentence
    assert "expected /θɪŋk/ · heard /sɪŋk/" in sentence
    assert '<span class="pc-word pc-missing" tabindex="0">so<span class="pc-tip">expected /soʊ/ · not heard' in sentence
    assert sentence.endswith("</span>."), "punctuation of the sentence is kept after the word"


def test_explanation_suggestion_score_summary_and_date_are_shown() -> None:
    html = rendered()
    assert "You said /s/ instead of /θ/." in html and "Try: Put your tongue between your teeth." in html
    assert 'class="pc-score pc-score-mid">64<' in html
    assert "2 words to work on" in html and "Mind the th." in html and "<li>Practise /θ/.</li>" in html
    assert "2026-03-04 09:30" in html


def test_text_from_the_daemon_is_escaped() -> None:
    html = rendered(summary="<script>alert(1)</script>", text="I think so <b>.")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;." in html


def test_players_are_ankis_own_replay_buttons_and_v_is_named() -> None:
    assert "replay-button" not in rendered()
    html = rendered(recording="rec 1.mp3", reference='ref".mp3')
    assert "<audio" not in html, "no HTML5 players beside Anki's play buttons"
    buttons = re.findall(r'<a class="replay-button soundLink pc-replay"[^>]*>', html)
    assert len(buttons) == 2
    assert 'pycmd(&quot;pronunciation_coach:play:rec 1.mp3&quot;)' in buttons[0]
    assert 'data-pc-file="ref&quot;.mp3"' in buttons[1]
    assert re.search(r"Your recording <span class=\"pc-key\"[^>]*>V</span>", html)


def test_warnings_come_first_and_the_summary_does_not_repeat_them() -> None:
    warning = "The recording could not be matched to the sentence. The scores below are not reliable."
    html = rendered(warnings=[warning], summary=f"{warning} Keep practising.")
    assert html.count("The scores below are not reliable") == 1
    assert html.index("pc-warning") < html.index("class=\"pc-score"), "the warning sits above the score it qualifies"
    assert '<div class="pc-summary">Keep practising.</div>' in html


def test_learners_do_not_see_backend_or_model_names() -> None:
    html = rendered(backend="phonetic", model="pocketsphinx-en-us")
    visible = re.sub(r"<[^>]+>", " ", html)
    assert "phonetic" not in visible and "pocketsphinx" not in visible
    assert 'data-pc-backend="phonetic"' in html


def test_a_missing_word_is_explained_with_a_tip() -> None:
    html = rendered()
    item = re.search(r"<li><b>so</b>(.*?)</li>", html).group(1)  # type: ignore[union-attr]
    assert "not heard in your recording" in item and "Try: say every word" in item


def test_a_high_score_with_words_to_work_on_is_not_green() -> None:
    assert 'pc-score-mid">88<' in rendered(score=88)
    assert render.score_band(88, needs_work=False) == "good"


def test_the_word_tip_opens_above_the_word_not_over_the_error_list() -> None:
    tip_rule = re.search(r"\.pc-tip \{([^}]*)\}", render.FEEDBACK_CSS).group(1)  # type: ignore[union-attr]
    assert "bottom:" in tip_rule and "top:" not in tip_rule


def test_words_that_do_not_follow_the_text_are_still_all_shown() -> None:
    html = rendered(text="Completely different.")
    assert html.count('class="pc-word') == 3


def test_a_clean_reading_has_no_error_list() -> None:
    data = daemon_document()
    for word in data["words"]:
        word.update(status="ok", heard_phones=None, errors=[], explanation=None, suggestion=None)
    feedback = document.parse_feedback(data)
    html = render.render_feedback(feedback, assessed_at=WHEN)
    assert "pc-errors" not in html and "Every word was clear" in html
    assert render.summary_line(feedback) == "Score 64/100 · every word was clear"


def test_night_mode_has_its_own_colours() -> None:
    night_rule = re.search(r"\.nightMode \.pc-feedback[^{]*\{([^}]*)\}", render.FEEDBACK_CSS)
    assert night_rule and "--pc-bad" in night_rule.group(1) and "--pc-tip-bg" in night_rule.group(1)


@pytest.mark.parametrize(("score", "band"), [(95, "good"), (80, "good"), (79.9, "mid"), (60, "mid"), (12, "low")])
def test_score_bands(score: float, band: str) -> None:
    assert render.score_band(score) == band


def test_ipa_table_agrees_with_the_daemons_preferred_symbols() -> None:
    ipa = pytest.importorskip("inference_daemon.pronunciation.ipa")
    for phone, symbol in phones.ARPABET_TO_IPA.items():
        assert ipa.ARPABET_TO_IPA[phone][0].replace("\u0361", "") == symbol, phone


# Sentence-level scores -------------------------------------------------------------------------------

def score_row(html: str) -> dict[str, tuple[str, str]]:
    """kind → (shown number, colour band) of each score in the row under the headline."""
    return {kind: (number, band) for kind, band, number in re.findall(
        r'<span class="pc-subscore" data-pc-kind="(\w+)"[^>]*>\w+ <b class="pc-score-(\w+)">(\d+)</b>', html)}


def delivery_tip_of(html: str) -> str | None:
    match = re.search(r'<div class="pc-delivery-tip" data-pc-kind="(\w+)"><b>\w+:</b> ([^<]*)</div>', html)
    return f"{match.group(1)}: {html_module.unescape(match.group(2))}" if match else None


def test_accuracy_fluency_and_prosody_are_shown_side_by_side_under_the_headline() -> None:
    html = rendered(fluency=91.4, prosody=73.6, completeness=100)
    assert score_row(html) == {"accuracy": ("64", "mid"), "fluency": ("91", "good"), "prosody": ("74", "mid")}
    assert list(score_row(html)) == ["accuracy", "fluency", "prosody"]
    assert html.index('class="pc-head"') < html.index('class="pc-scores"') < html.index('class="pc-sentence"')
    assert 'title="Fluency: reading without hesitation' in html, "pointing at a score says what it measures"
    assert "Completeness" not in html, "a complete reading is not worth a number"
    assert delivery_tip_of(html) is None


def test_a_document_without_delivery_scores_shows_only_the_headline_score() -> None:
    html = rendered()
    assert "pc-scores" not in html and "pc-delivery-tip" not in html
    only_prosody = rendered(prosody=70)
    assert list(score_row(only_prosody)) == ["accuracy", "prosody"], "a null score is simply not shown"


def test_clearly_low_fluency_gets_the_fluency_tip() -> None:
    html = rendered(score=82, fluency=41, prosody=66)
    assert score_row(html)["fluency"] == ("41", "low")
    assert delivery_tip_of(html) == ("fluency: Try reading the whole sentence in one go, without stopping "
                                     "between words.")
    assert html.count("pc-delivery-tip") == 1, "one tip, not one per low score"


def test_clearly_low_prosody_gets_the_prosody_tip() -> None:
    html = rendered(score=85, fluency=80, prosody=48)
    assert delivery_tip_of(html) == ("prosody: Let your voice rise and fall: stress the key words and say small "
                                     "words like 'a', 'the', 'to' lightly.")


def test_words_left_out_show_completeness_and_its_tip_first() -> None:
    html = rendered(score=45, fluency=30, prosody=35, completeness=50)
    assert score_row(html)["completeness"] == ("50", "low")
    assert delivery_tip_of(html) == "completeness: Some words were not read — read to the end of the sentence."
    assert "completeness" in score_row(rendered(completeness=83)), "shown whenever something was left out"


def test_text_in_the_score_row_survives_night_mode() -> None:
    for selector in (r"\.pc-delivery-tip \{", r"\.pc-meter \{"):
        rule = re.search(selector + r"([^}]*)\}", render.FEEDBACK_CSS).group(1)  # type: ignore[union-attr]
        assert "var(--pc-" in rule, "colours come from the variables night mode redefines"


# Word stress -----------------------------------------------------------------------------------------

def rendered_stress(**changes: Any) -> str:
    return str(render.render_feedback(document.parse_feedback(stress_document(**changes)), assessed_at=WHEN))


def test_a_stress_error_says_which_syllable_instead_of_heard_phones() -> None:
    html = rendered_stress()
    item = re.search(r"<li><b>bananas</b>(.*?)</li>", html).group(1)  # type: ignore[union-attr]
    assert "stress on the wrong syllable: put it on the 2nd, not the 1st" in item
    assert "heard" not in item, "the sounds were right: no 'heard /…/' that reads like a wrong sound"
    assert '/bən<span class="pc-stress-vowel" title="should carry the stress">æ</span>nəz/' in item
    assert "You stressed the first syllable: BA-na-nas." in item and "Try: Stress the second syllable" in item
    tip = re.search(r'bananas<span class="pc-tip">(.*?)</span>', html).group(1)  # type: ignore[union-attr]
    assert tip == "stress on the wrong syllable: put it on the 2nd, not the 1st"


def test_a_word_with_wrong_sounds_and_wrong_stress_shows_both() -> None:
    data = stress_document()
    bananas = data["words"][2]
    bananas["heard_phones"] = ["B", "AH", "N", "AA", "N", "AH", "S"]
    bananas["errors"].append({"type": "substitution", "expected": "Z", "heard": "S", "position": 6})
    html = str(render.render_feedback(document.parse_feedback(data), assessed_at=WHEN))
    item = re.search(r"<li><b>bananas</b>(.*?)</li>", html).group(1)  # type: ignore[union-attr]
    # Heard with the stress on the first vowel: that one is full, the others reduced.
    assert "(heard /bʌnɑnəs/; stress on the wrong syllable: put it on the 2nd, not the 1st)" in item
    tip = re.search(r'bananas<span class="pc-tip">(.*?)</span>', html).group(1)  # type: ignore[union-attr]
    assert tip.startswith("expected /bənænəz/ · heard /bʌnɑnəs/ · stress on the wrong syllable")


def test_a_stress_error_with_positions_off_the_vowels_still_reads_sensibly() -> None:
    data = stress_document()
    data["words"][2]["errors"][0].update(position=40, stressed_position=None)
    html = str(render.render_feedback(document.parse_feedback(data), assessed_at=WHEN))
    item = re.search(r"<li><b>bananas</b>(.*?)</li>", html).group(1)  # type: ignore[union-attr]
    assert "(stress on the wrong syllable)" in item and "/bənænəz/" in item


@pytest.mark.parametrize(("expected_stress", "shown"), [
    ("010", "/bənænəz/"),  # the dictionary's stress: unstressed AH is the reduced /ə/
    (None, "/bʌnænʌz/"),  # a daemon that does not send it: AH as in a stressed syllable
    ("01", "/bʌnænʌz/"),  # digits that do not fit the vowels are ignored
])
def test_reduced_vowels_follow_the_dictionary_stress(expected_stress: str | None, shown: str) -> None:
    data = stress_document()
    bananas = data["words"][2]
    bananas["errors"] = [{"type": "substitution", "expected": "Z", "heard": "S", "position": 6}]
    bananas["heard_phones"] = ["B", "AH", "N", "AE", "N", "AH", "S"]
    if expected_stress is None:
        del bananas["expected_stress"]
    else:
        bananas["expected_stress"] = expected_stress
    html = str(render.render_feedback(document.parse_feedback(data), assessed_at=WHEN))
    item = re.search(r"<li><b>bananas</b>(.*?)</li>", html).group(1)  # type: ignore[union-attr]
    assert item.startswith(f" {shown}"), item
    heard = shown[:-2] + "s/"
    assert f"heard {heard}" in item, item  # the heard word has as many vowels: the same reduced ones


def test_an_unstressed_er_is_shown_reduced() -> None:
    assert phones.to_ipa(["M", "AH", "DH", "ER"], "10") == "/mʌðɚ/"
    assert phones.to_ipa(["B", "ER", "D"], "1") == "/bɝd/"
