"""End to end: a real headless Anki with the add-on, a real daemon process, espeak-ng speech as the voice.

One Anki window and one daemon serve the whole module (Anki cannot start twice in a process). The
daemon runs the scripted test backend told to mark "think" as mispronounced and to give fluency 48
and prosody 74, so every verdict is known in advance while the HTTP path, the queue, the note
writes and the scheduler are all real.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

pytest.importorskip("aqt")
pytest.importorskip("PyQt6.QtWebEngineWidgets")

from tests.anki_support.addon_import import ADDON_PACKAGE, REPO_ROOT
from tests.anki_support.documents import daemon_document, stress_document
from tests.anki_support.file_recorder import FileRecorderFactory
from tests.anki_support.main_window import AnkiSession, install_addon_copy, running_anki
from tests.support.audio_files import espeak_wav
from tests.support.daemon_process import SCRIPTED, free_port, running_daemon

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")]

ARTIFACTS = REPO_ROOT / "test-artifacts"
NEEDS_WORK_TAG = "pronunciation::needs-work"
MISPRONOUNCED_SENTENCE = "I think we should leave early."
CLEAN_SENTENCE = "We can see the sea from here."


FLUENCY, PROSODY = 48, 74  # fluency clearly the weakest: the card gives its tip


@pytest.fixture(scope="module")
def daemon_url() -> Iterator[str]:
    with running_daemon("--mispronounce", "think", "--fluency", str(FLUENCY), "--prosody", str(PROSODY)) as url:
        yield url


@pytest.fixture(scope="module")
def slow_daemon_url() -> Iterator[str]:
    """A daemon that takes 3 s per verdict: the learner can answer before it is back."""
    with running_daemon("--mispronounce", "think", "--delay", "3") as url:
        yield url


@pytest.fixture(scope="module")
def anki(tmp_path_factory: pytest.TempPathFactory, daemon_url: str) -> Iterator[AnkiSession]:
    base = tmp_path_factory.mktemp("anki-base")
    install_addon_copy(base, {"daemon_url": daemon_url, "retry_interval_s": 600})
    with running_anki(base) as session:
        yield session


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory, anki: AnkiSession) -> Iterator[FileRecorderFactory]:
    recorder = anki_addon("recorder")
    factory = FileRecorderFactory(espeak_wav(MISPRONOUNCED_SENTENCE, tmp_path_factory.mktemp("voice") / "a.wav"))
    recorder.use_recorder_factory(factory)
    yield factory
    recorder.use_recorder_factory(None)


@pytest.fixture(autouse=True)
def no_errors(anki: AnkiSession) -> Iterator[None]:
    anki.errors.clear()
    yield
    assert not anki.errors, "\n".join(anki.errors)


def anki_addon(name: str) -> Any:
    import importlib

    return importlib.import_module(f"{ADDON_PACKAGE}.{name}")


def coach() -> Any:
    import importlib

    return importlib.import_module(ADDON_PACKAGE).coach


def review_new_card(anki: AnkiSession, sentence: str, deck: str) -> Any:
    """Add a practice note in its own deck and open that deck's review; returns the card on screen."""
    col = anki.mw.col
    notetype = anki_addon("note_type").ensure_practice_note_type(col)
    note = col.new_note(notetype)
    note["Sentence"] = sentence
    note["Translation"] = "(translation)"
    deck_id = col.decks.id(deck)
    col.add_note(note, deck_id)
    col.decks.select(deck_id)
    anki.mw.moveToState("review")
    anki.wait_until(lambda: anki.mw.reviewer.card is not None and anki.mw.reviewer.card.nid == note.id,
                    what="the card under review")
    anki.wait_until(lambda: anki.eval_js(anki.mw.reviewer.web, "!!document.getElementById('pc-record')"),
                    what="the record button on the card")
    return anki.mw.reviewer.card


def press_record_shortcut(anki: AnkiSession) -> None:
    """Trigger the reviewer shortcut the add-on registered (offscreen Qt delivers no key events)."""
    from aqt.qt import QKeySequence

    wanted = QKeySequence(coach().config().shortcut)
    matches = [shortcut for shortcut in anki.mw.stateShortcuts if shortcut.key() == wanted]
    assert len(matches) == 1, "the recording shortcut is registered once in the reviewer"
    matches[0].activated.emit()


def click_record_button(anki: AnkiSession) -> None:
    anki.eval_js(anki.mw.reviewer.web, "document.getElementById('pc-record').click(); true")


def status_text(anki: AnkiSession) -> str:
    return str(anki.eval_js(anki.mw.reviewer.web, "document.getElementById('pc-status').textContent"))


def record_once(anki: AnkiSession) -> None:
    press_record_shortcut(anki)
    anki.wait_until(lambda: "Recording" in status_text(anki), what="the recording indicator")
    click_record_button(anki)


def feedback_of(anki: AnkiSession, note_id: int) -> str:
    return str(anki.mw.col.get_note(note_id)["Feedback"])


def wait_for_feedback(anki: AnkiSession, note_id: int, timeout: float = 20.0) -> None:
    """Until the Feedback field is written and the add-on has finished with the recording."""
    anki.wait_until(lambda: feedback_of(anki, note_id) and not coach().flow.queue.items(), timeout,
                    what="the feedback to be written and the queue emptied")


def answer(anki: AnkiSession, card: Any, ease: int) -> int:
    """Show the answer, press ``ease``, return the rating the revlog recorded."""
    anki.mw.reviewer._showAnswer()
    anki.wait_until(lambda: anki.mw.reviewer.state == "answer", what="the answer side")
    anki.mw.reviewer._answerCard(ease)
    return int(anki.wait_until(
        lambda: anki.mw.col.db.scalar("select ease from revlog where cid = ?", card.id), what="the review log"))


def screenshot(anki: AnkiSession, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    anki.mw.resize(900, 1000)
    anki.pump(0.8)  # let the web view lay out and paint
    path = ARTIFACTS / name
    assert anki.mw.grab().save(str(path)), f"could not save {path}"
    return path


def text_contrast(anki: AnkiSession, selector: str) -> float:
    """WCAG contrast ratio of the element's text colour against its own background colour."""
    script = f"""(() => {{
        const style = getComputedStyle(document.querySelector({json.dumps(selector)}));
        const lum = c => {{ const v = c.match(/[\\d.]+/g).slice(0, 3).map(x => x / 255)
            .map(x => x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4));
            return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }};
        const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05); }})()"""
    return float(anki.eval_js(anki.mw.reviewer.web, script))


def fits_in_feedback(anki: AnkiSession, selector: str) -> bool:
    """The element lies inside the feedback panel and its text is not clipped."""
    script = f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
        const box = e.getBoundingClientRect(), panel = document.querySelector('.pc-feedback').getBoundingClientRect();
        return e.scrollWidth <= e.clientWidth + 1 && box.left >= panel.left && box.right <= panel.right; }})()"""
    return bool(anki.eval_js(anki.mw.reviewer.web, script))


def mark_card_on_screen(anki: AnkiSession) -> None:
    """Tag the drawn controls; a redraw of the card replaces them (and replays the card's audio)."""
    anki.eval_js(anki.mw.reviewer.web, "document.getElementById('pc-controls').dataset.pcMarker = '1'; true")


def card_marker_survived(anki: AnkiSession) -> bool:
    return bool(anki.eval_js(anki.mw.reviewer.web, "document.getElementById('pc-controls').dataset.pcMarker === '1'"))


def test_mispronounced_reading_writes_feedback_and_turns_good_into_again(
        anki: AnkiSession, voice: FileRecorderFactory) -> None:
    card = review_new_card(anki, MISPRONOUNCED_SENTENCE, "E2E::mispronounced")
    screenshot(anki, "reviewer-question.png")
    mark_card_on_screen(anki)
    press_record_shortcut(anki)
    anki.wait_until(lambda: "Recording" in status_text(anki), what="the recording indicator")
    assert anki.eval_js(anki.mw.reviewer.web, "document.getElementById('pc-controls').className") \
        == "pc-controls pc-state-recording"
    screenshot(anki, "reviewer-recording.png")
    click_record_button(anki)

    wait_for_feedback(anki, card.nid)
    note = anki.mw.col.get_note(card.nid)
    assert NEEDS_WORK_TAG in note.tags
    assert re.search(r'class="pc-word pc-mispronounced"[^>]*>think', note["Feedback"])
    media_file = re.fullmatch(r"\[sound:(.+)\]", note["Recording"]).group(1)  # type: ignore[union-attr]
    stored = Path(anki.mw.col.media.dir()) / media_file
    assert stored.suffix == ".mp3" and stored.stat().st_size < voice.source.stat().st_size / 3, "compressed"
    assert "work on: think" in status_text(anki)
    assert "This review will count as Again" in status_text(anki), "the learner knows before answering"
    assert card_marker_survived(anki), "linking the recording and writing the feedback did not redraw the card"
    from aqt import gui_hooks

    replayed = gui_hooks.reviewer_will_replay_recording(None)  # type: ignore[arg-type]
    assert replayed == str(Path(anki.mw.col.media.dir()) / media_file), "V replays this recording"
    history = coach().flow.history.entries()
    assert history[-1].note_id == card.nid and history[-1].deck_name == "E2E::mispronounced"
    assert (history[-1].fluency, history[-1].prosody) == (FLUENCY, PROSODY), "the history keeps the delivery scores"
    assert {path.parent for path in coach().flow.history.files()} == {Path(anki.mw.col.media.dir())}, \
        "the history is in the media folder, which AnkiWeb syncs"

    anki.mw.reviewer._showAnswer()
    anki.wait_until(lambda: anki.eval_js(anki.mw.reviewer.web, "!!document.querySelector('.pc-feedback')"),
                    what="the feedback on the answer side")
    tip_shown = "var w=document.querySelector('.pc-mispronounced'); w.focus(); " \
                "getComputedStyle(w.querySelector('.pc-tip')).display"
    assert anki.eval_js(anki.mw.reviewer.web, tip_shown) == "block", "a tap (focus) shows expected and heard"
    tip_clear_of_errors = ("document.querySelector('.pc-mispronounced .pc-tip').getBoundingClientRect().bottom <= "
                           "document.querySelector('.pc-errors').getBoundingClientRect().top")
    assert anki.eval_js(anki.mw.reviewer.web, tip_clear_of_errors), "the tip does not cover the first error"
    buttons = anki.eval_js(anki.mw.reviewer.bottom.web,
                           "Array.from(document.querySelectorAll('button[data-ease]')).map(b => b.textContent)"
                           ".join('|')")
    assert "Good → Again" in buttons and "Easy → Again" in buttons
    scores = anki.eval_js(anki.mw.reviewer.web, "Array.from(document.querySelectorAll('.pc-subscore'))"
                                                ".map(s => s.textContent).join('|')")
    assert scores == f"Accuracy 84|Fluency {FLUENCY}|Prosody {PROSODY}"
    tip = anki.eval_js(anki.mw.reviewer.web, "document.querySelector('.pc-delivery-tip').textContent")
    assert tip == "Fluency: Try reading the whole sentence in one go, without stopping between words."
    assert fits_in_feedback(anki, ".pc-scores") and fits_in_feedback(anki, ".pc-delivery-tip")
    assert text_contrast(anki, ".pc-delivery-tip") >= 7
    screenshot(anki, "reviewer-feedback-light.png")
    from aqt.theme import Theme

    anki.mw.set_theme(Theme.DARK)
    anki.mw.reviewer._redraw_current_card()
    anki.wait_until(lambda: anki.eval_js(anki.mw.reviewer.web, "document.body.classList.contains('nightMode')"),
                    what="night mode")
    assert text_contrast(anki, ".pc-delivery-tip") >= 7, "the tip is readable in night mode too"
    screenshot(anki, "reviewer-feedback-night.png")
    anki.mw.set_theme(Theme.LIGHT)

    assert answer(anki, card, 3) == 1, "Good became Again because 'think' was mispronounced"


def test_clean_reading_stays_good_and_clears_the_tag(anki: AnkiSession, voice: FileRecorderFactory,
                                                     tmp_path: Path) -> None:
    card = review_new_card(anki, CLEAN_SENTENCE, "E2E::clean")
    note = anki.mw.col.get_note(card.nid)
    note.add_tag(NEEDS_WORK_TAG)
    anki.mw.col.update_note(note)
    voice.source = espeak_wav(CLEAN_SENTENCE, tmp_path / "clean.wav")
    record_once(anki)

    wait_for_feedback(anki, card.nid)
    note = anki.mw.col.get_note(card.nid)
    assert NEEDS_WORK_TAG not in note.tags
    assert "pc-mispronounced" not in note["Feedback"]
    assert answer(anki, card, 3) == 3


def test_undo_restores_the_note(anki: AnkiSession, voice: FileRecorderFactory) -> None:
    card = review_new_card(anki, MISPRONOUNCED_SENTENCE, "E2E::undo")
    record_once(anki)
    wait_for_feedback(anki, card.nid)
    assert anki.mw.col.undo_status().undo == "Pronunciation feedback"

    anki.mw.undo()
    anki.wait_until(lambda: not feedback_of(anki, card.nid), what="undo to clear the Feedback field")
    assert NEEDS_WORK_TAG not in anki.mw.col.get_note(card.nid).tags
    assert anki.mw.col.get_note(card.nid)["Recording"], "only the feedback step was undone"


def test_a_stress_error_is_shown_on_the_card_as_the_wrong_syllable(anki: AnkiSession) -> None:
    """The daemon's answer for a wrongly stressed word, from the moment it is back: rendered, written, shown.
    Built as the phonetic backend sends it, with real phones, which the scripted test daemon does not have."""
    from aqt.theme import Theme

    sentence = "I like bananas."
    card = review_new_card(anki, sentence, "E2E::stress")
    entry = anki_addon("queue_store").new_recording(card.id, card.nid, "stress.mp3", sentence)
    data = stress_document(request_id=entry.id)
    coach().tracker.recording_sent(card.id, entry.id)  # what submitting a recording of this review does
    coach().flow._assessed(entry, anki_addon("document").parse_feedback(data), data)
    wait_for_feedback(anki, card.nid)
    anki.mw.reviewer._showAnswer()
    anki.wait_until(lambda: anki.eval_js(anki.mw.reviewer.web, "!!document.querySelector('.pc-errors')"),
                    what="the error list on the answer side")
    item = anki.eval_js(anki.mw.reviewer.web, "document.querySelector('.pc-errors li').innerText")
    assert item.startswith("bananas /bənænəz/ (stress on the wrong syllable: put it on the 2nd, not the 1st)")
    assert "heard" not in item and "Try: Stress the second syllable: ba-NA-nas." in item
    underline = "getComputedStyle(document.querySelector('.pc-errors .pc-stress-vowel')).textDecorationLine"
    assert anki.eval_js(anki.mw.reviewer.web, underline) == "underline", "the vowel to stress is marked"
    assert fits_in_feedback(anki, ".pc-errors")
    word_tip = ("var w=document.querySelector('.pc-mispronounced'); w.focus(); var t=w.querySelector('.pc-tip'); "
                "[t.textContent, t.getBoundingClientRect().right <= window.innerWidth]")
    assert anki.eval_js(anki.mw.reviewer.web, word_tip) == \
        ["stress on the wrong syllable: put it on the 2nd, not the 1st", True], "a tap says which syllable, uncut"
    screenshot(anki, "reviewer-stress-error-light.png")
    anki.mw.set_theme(Theme.DARK)
    try:
        anki.mw.reviewer._redraw_current_card()
        anki.wait_until(lambda: anki.eval_js(anki.mw.reviewer.web, "document.body.classList.contains('nightMode')"),
                        what="night mode")
        screenshot(anki, "reviewer-stress-error-night.png")
    finally:
        anki.mw.set_theme(Theme.LIGHT)
    assert coach().flow.history.entries()[-1].words_needing_work == [("bananas", "mispronounced")]
    assert answer(anki, card, 3) == 1, "a wrongly stressed word counts like a mispronounced one"


def test_daemon_down_keeps_the_recording_and_sends_it_when_the_daemon_starts(
        anki: AnkiSession, voice: FileRecorderFactory, daemon_url: str) -> None:
    from aqt import utils

    port = free_port()
    anki.set_config(daemon_url=f"http://127.0.0.1:{port}")
    try:
        card = review_new_card(anki, MISPRONOUNCED_SENTENCE, "E2E::offline")
        record_once(anki)
        anki.wait_until(lambda: coach().flow.queue.items() and coach().flow.queue.items()[0].attempts,
                        what="a failed attempt recorded in the queue")
        label = utils._tooltipLabel
        assert label is not None and "daemon is not running" in label.text()
        lines = [re.sub(r"<[^>]+>", "", line).strip() for line in label.text().split("<br>")]
        assert len(lines) >= 3 and max(map(len, lines)) < 100, "several short lines, none cut off at 800 px"
        assert "Start daemon" in label.text() or "Settings" in label.text(), "it says how to start the daemon"
        screenshot(anki, "reviewer-no-daemon.png")
        label.grab().save(str(ARTIFACTS / "reviewer-no-daemon-tooltip.png"))
        note = anki.mw.col.get_note(card.nid)
        assert note["Recording"] and not note["Feedback"]
        queued = coach().flow.queue.items()[0]
        assert queued.note_id == card.nid
        assert (coach().flow.queue.path).exists()

        assert answer(anki, card, 3) == 3, "a card not assessed in this review keeps the learner's answer"

        anki.set_config(retry_interval_s=1)
        with running_daemon("--mispronounce", "think", port=port):
            wait_for_feedback(anki, card.nid, timeout=30)
        assert NEEDS_WORK_TAG in anki.mw.col.get_note(card.nid).tags
    finally:
        anki.set_config(daemon_url=daemon_url, retry_interval_s=600)


PROGRESS_DECK = "E2E::progress"


def practice_weeks() -> list[Any]:
    """Twelve weekly assessments in one deck, written as an earlier add-on would have for the first three
    (no fluency or prosody) and as this one does since; "think" needed work in the first six."""
    from datetime import datetime, timedelta, timezone

    history = anki_addon("history")
    start = datetime.now(timezone.utc) - timedelta(weeks=12)
    accuracy = [52, 58, 55, 61, 66, 64, 70, 73, 77, 80, 84, 86]
    fluency = [None, None, None, 38, 45, 51, 60, 66, 72, 79, 81, 84]
    prosody = [None, None, None, 55, 57, 54, 62, 65, 69, 71, 74, 79]
    entries = []
    for week, (score, flu, pro) in enumerate(zip(accuracy, fluency, prosody)):  # noqa: B905
        scores = {"fluency": flu, "prosody": pro} if flu is not None else {}
        words = [{"text": "think", "status": "mispronounced"}] if week < 6 else []
        entries.append(history.HistoryEntry(
            assessed_at=(start + timedelta(weeks=week)).isoformat(timespec="seconds"), card_id=900 + week,
            note_id=900 + week, deck_name=PROGRESS_DECK, recording=f"week{week}.mp3",
            document={"score": score, **scores, "words": words}))
    return entries


def plotted_colours(chart: Any) -> set[str]:
    """The colours painted inside the plot area (below the legend), as #rrggbb."""
    image = chart.grab().toImage()
    top = int(anki_addon("progress_chart").TOP) + 4
    return {image.pixelColor(x, y).name() for x in range(0, image.width(), 1)
            for y in range(top, image.height(), 2)}


def test_menu_checks_the_daemon_and_shows_progress(anki: AnkiSession, voice: FileRecorderFactory) -> None:
    from aqt.qt import QApplication, QMessageBox, QTimer

    menu = coach().menu
    seen: list[str] = []

    def close_message_boxes() -> None:  # runs inside the message box's own modal loop
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append(widget.text())
                widget.accept()

    closer = QTimer(anki.mw)
    closer.timeout.connect(close_message_boxes)
    closer.start(100)
    try:
        menu.check_daemon()
        anki.wait_until(lambda: seen, what="the daemon check's message")
    finally:
        closer.stop()
    assert "Backend: scripted" in seen[0] and "Latency:" in seen[0]

    coach().flow.history.extend(practice_weeks())
    menu.show_progress()
    dialog = menu.progress_dialog
    anki.pump(0.3)
    assert dialog.words.item(0, 0).text() == "think" and int(dialog.words.item(0, 1).text()) >= 1
    accuracy, fluency, prosody = dialog.chart.series
    assert len(accuracy.points) == len(coach().flow.history.entries())
    assert dialog.width() >= 900 and dialog.chart.minimumWidth() >= 560

    dialog.deck_choice.setCurrentText(PROGRESS_DECK)
    anki.pump(0.3)
    assert [series.label for series in dialog.chart.series] == ["Accuracy", "Fluency", "Prosody"]
    accuracy, fluency, prosody = dialog.chart.series
    assert (len(accuracy.points), len(fluency.points), len(prosody.points)) == (12, 9, 9), \
        "the three weeks before sentence scores existed are points of the accuracy line only"
    assert [score for _, score in fluency.points][:2] == [38, 45]
    assert "average of the last 5: accuracy 80 · fluency 76 · prosody 72" in dialog.summary.text()
    assert plotted_colours(dialog.chart) >= {series.light for series in dialog.chart.series}, "all three are drawn"
    ARTIFACTS.mkdir(exist_ok=True)
    dialog.grab().save(str(ARTIFACTS / "progress-view.png"))
    dialog.close()

    from aqt.theme import Theme

    anki.mw.set_theme(Theme.DARK)
    try:
        menu.show_progress()
        dialog = menu.progress_dialog
        dialog.deck_choice.setCurrentText(PROGRESS_DECK)
        anki.pump(0.3)
        assert plotted_colours(dialog.chart) >= {series.dark for series in dialog.chart.series}
        dialog.grab().save(str(ARTIFACTS / "progress-view-night.png"))
        dialog.close()
    finally:
        anki.mw.set_theme(Theme.LIGHT)

    menu.show_progress()
    dialog = menu.progress_dialog
    anki.pump(0.3)
    dialog.practise.click()
    browser = anki.wait_until(lambda: [w for w in QApplication.topLevelWidgets()
                                       if type(w).__name__ == "Browser" and w.isVisible()], what="the browser")[0]
    anki.wait_until(lambda: browser.table.len() > 0, what="the cards needing work in the browser")
    assert "pronunciation::needs-work" in browser.current_search()
    browser.close()
    dialog.close()


def test_settings_form_saves_into_the_json_config(anki: AnkiSession) -> None:
    from aqt.addons import AddonsDialog, ConfigEditor
    from aqt.qt import QApplication

    menu = coach().menu
    menu.open_settings()
    form = menu.settings_dialog
    anki.wait_until(form.isVisible, what="the settings dialog")
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, AddonsDialog) and w.isVisible()]
    assert form.daemon_url.text() == coach().config().daemon_url
    form.resize(680, form.sizeHint().height())
    anki.pump(0.3)
    ARTIFACTS.mkdir(exist_ok=True)
    form.grab().save(str(ARTIFACTS / "settings-dialog.png"))
    form.max_recording.setValue(9)
    form.policy.setCurrentIndex(form.policy.findData("hard"))
    form.native_language.setCurrentIndex(form.native_language.findData("es"))
    form.shortcut.setKeySequence("V")
    form.accept()
    assert form.isVisible() and "reviewer keys" in form.problem.text(), "a reserved key is refused before saving"
    form.shortcut.setKeySequence("Ctrl+Alt+R")
    form.accept()
    try:
        saved = anki.mw.addonManager.getConfig(ADDON_PACKAGE)
        assert (saved["max_recording_s"], saved["on_mispronounced"], saved["native_language"]) == (9, "hard", "es")
        assert saved["sentence_field"] == "Sentence", "keys the form does not show are kept"
        assert coach().config().shortcut == "Ctrl+Alt+R"
        defaults = json.loads((anki.addon_dir / "config.json").read_text(encoding="utf-8"))
        jsonschema.validate(saved, json.loads((anki.addon_dir / "config.schema.json").read_text(encoding="utf-8")))
        assert set(defaults) <= set(saved)
    finally:
        anki.set_config(max_recording_s=15, on_mispronounced="again", native_language="", shortcut="Ctrl+Shift+R")

    menu.open_json_config()
    editors = anki.wait_until(lambda: [w for w in QApplication.topLevelWidgets()
                                       if isinstance(w, ConfigEditor) and w.isVisible()], what="the JSON editor")
    assert '"daemon_url"' in editors[0].form.editor.toPlainText()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, AddonsDialog) and w.isVisible()]
    editors[0].reject()


def test_recording_stops_by_itself_at_the_maximum_length(anki: AnkiSession, voice: FileRecorderFactory) -> None:
    anki.set_config(max_recording_s=1)
    try:
        card = review_new_card(anki, CLEAN_SENTENCE, "E2E::max-length")
        press_record_shortcut(anki)
        anki.wait_until(lambda: "of 1 s" in status_text(anki), what="the indicator with the limit")
        wait_for_feedback(anki, card.nid)
        assert answer(anki, card, 3) == 3
    finally:
        anki.set_config(max_recording_s=15)


def test_cards_without_a_sentence_field_are_left_alone(anki: AnkiSession) -> None:
    col = anki.mw.col
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "capital of France", "Paris"
    deck_id = col.decks.id("E2E::basic")
    col.add_note(note, deck_id)
    col.decks.select(deck_id)
    anki.mw.moveToState("review")
    anki.wait_until(lambda: anki.mw.reviewer.card is not None and anki.mw.reviewer.card.nid == note.id,
                    what="the basic card")
    anki.pump(0.3)
    assert anki.eval_js(anki.mw.reviewer.web, "document.getElementById('pc-controls') === null")
    assert answer(anki, anki.mw.reviewer.card, 3) == 3


def test_a_closed_flow_leaves_its_queue_alone(anki: AnkiSession, tmp_path: Path) -> None:
    """After its profile closed, late answers and timers must not judge the queue against another collection."""
    flow_module, queue_store, review_state = (anki_addon(name) for name in
                                              ("assessment_flow", "queue_store", "review_state"))
    flow = flow_module.AssessmentFlow(anki.mw, tmp_path, coach().config, review_state.ReviewTracker(),
                                      coach().reviewer)
    entry = queue_store.new_recording(card_id=1, note_id=1, media_file="not-in-this-collection.wav",
                                      sentence="I think so.")
    flow.queue.add(entry)
    flow.close()

    flow.send(entry)  # an open flow drops a recording whose file is gone from the media folder
    feedback = anki_addon("document").parse_feedback(daemon_document(request_id=entry.id))
    flow._assessed(entry, feedback, daemon_document())  # an open flow drops a recording whose note is gone
    assert [item.id for item in queue_store.RecordingQueue(flow.queue.path).items()] == [entry.id]


def test_no_microphone_is_said_on_the_card_without_an_error_dialog(anki: AnkiSession,
                                                                    voice: FileRecorderFactory) -> None:
    """Anki's own Qt recorder on a machine without any input device (no PulseAudio server here)."""
    from aqt import utils
    from PyQt6.QtMultimedia import QMediaDevices

    if QMediaDevices.audioInputs():
        pytest.skip("this machine has a microphone")
    recorder = anki_addon("recorder")
    leftovers = set(Path(tempfile.gettempdir()).glob("pronunciation_coach_*"))
    recorder.use_recorder_factory(None)
    try:
        review_new_card(anki, CLEAN_SENTENCE, "E2E::no-microphone")
        press_record_shortcut(anki)
        anki.wait_until(lambda: "Cannot record" in status_text(anki), what="the no-microphone message on the card")
    finally:
        recorder.use_recorder_factory(voice)
    assert "no microphone" in status_text(anki)
    assert "no microphone" in (utils._tooltipLabel.text() if utils._tooltipLabel else "")
    assert set(Path(tempfile.gettempdir()).glob("pronunciation_coach_*")) == leftovers, "no temporary folder leaks"
    screenshot(anki, "reviewer-no-microphone.png")


def test_a_recorder_that_fails_on_start_becomes_a_clear_refusal(anki: AnkiSession, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the device check, Anki's QtAudioInputRecorder.start raises AttributeError without an input."""
    recorder = anki_addon("recorder")
    monkeypatch.setattr(recorder, "_require_input_device", lambda: None)
    made = recorder.AnkiRecorder(tmp_path / "out.wav", anki.mw)
    with pytest.raises(recorder.RecordingUnavailable, match="no microphone could be opened"):
        made.start()


def test_an_answer_before_the_verdict_waits_for_it_and_counts_as_again(anki: AnkiSession, voice: FileRecorderFactory,
                                                                       slow_daemon_url: str, daemon_url: str) -> None:
    anki.set_config(daemon_url=slow_daemon_url, verdict_wait_s=10)
    try:
        card = review_new_card(anki, MISPRONOUNCED_SENTENCE, "E2E::wait")
        record_once(anki)
        anki.wait_until(lambda: coach().tracker.waiting_for_verdict(card.id), what="the recording to be sent")
        anki.mw.reviewer._showAnswer()
        anki.wait_until(lambda: anki.mw.reviewer.state == "answer", what="the answer side")
        anki.mw.reviewer._answerCard(3)
        anki.wait_until(lambda: "Checking your reading" in status_text(anki), what="the checking message")
        screenshot(anki, "reviewer-checking.png")
        assert not anki.mw.col.db.scalar("select count() from revlog where cid = ?", card.id), "not answered yet"
        rating = anki.wait_until(lambda: anki.mw.col.db.scalar("select ease from revlog where cid = ?", card.id),
                                 timeout=20, what="the answer once the verdict is back")
        assert rating == 1, "Good became Again: the verdict came back during the wait"
    finally:
        anki.set_config(daemon_url=daemon_url, verdict_wait_s=5)


def test_a_verdict_not_back_in_time_answers_as_pressed_and_says_so(anki: AnkiSession, voice: FileRecorderFactory,
                                                                   slow_daemon_url: str, daemon_url: str) -> None:
    from aqt import utils

    anki.set_config(daemon_url=slow_daemon_url, verdict_wait_s=0.5)
    try:
        card = review_new_card(anki, MISPRONOUNCED_SENTENCE, "E2E::wait-timeout")
        record_once(anki)
        anki.wait_until(lambda: coach().tracker.waiting_for_verdict(card.id), what="the recording to be sent")
        assert answer(anki, card, 3) == 3
        assert "not back in time" in (utils._tooltipLabel.text() if utils._tooltipLabel else "")
        wait_for_feedback(anki, card.nid)  # the feedback still reaches the note
    finally:
        anki.set_config(daemon_url=daemon_url, verdict_wait_s=5)


def test_the_recording_shortcut_leaves_every_reviewer_key_alone(anki: AnkiSession) -> None:
    from aqt.qt import QKeySequence, Qt

    config = anki_addon("config")
    names = {Qt.Key.Key_Return: "return", Qt.Key.Key_Enter: "enter", Qt.Key.Key_F5: "f5"}
    keys = [names.get(key, key) if not isinstance(key, str) else key for key, _ in anki.mw.reviewer._shortcutKeys()]
    # (the Hangul twins of the letter keys, for Korean layouts, are left out: the shortcut is typed in Latin)
    normalized = {config.normalize_shortcut(key) for key in keys if isinstance(key, str) and key.isascii()}
    assert normalized <= config.RESERVED_SHORTCUTS, sorted(normalized - config.RESERVED_SHORTCUTS)
    assert config.normalize_shortcut(config.DEFAULT_SHORTCUT) not in normalized
    label = anki_addon("reviewer").shortcut_label("Ctrl+Shift+R")
    assert label == QKeySequence("Ctrl+Shift+R").toString(QKeySequence.SequenceFormat.NativeText)


def test_start_daemon_runs_the_configured_command_and_stops_it_on_exit(anki: AnkiSession,
                                                                       voice: FileRecorderFactory) -> None:
    import requests

    port = free_port()
    command = f"{sys.executable} -m inference_daemon serve --backend {SCRIPTED} --port {port}"
    url = anki.mw.addonManager.getConfig(ADDON_PACKAGE)["daemon_url"]
    anki.set_config(daemon_command=command, daemon_url=f"http://127.0.0.1:{port}")
    daemon = coach().daemon
    try:
        assert daemon.command()[-2:] == ["--port", str(port)]
        coach().menu.start_daemon()
        anki.wait_until(lambda: daemon.process.running and not daemon._starting, timeout=60,
                        what="the daemon to start and answer")
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).json()["loaded"]
        # Anki's quit runs the stop: disconnecting succeeds only for a slot that is connected (emitting
        # aboutToQuit here would also run what Qt and the test session hang on it).
        anki.mw.app.aboutToQuit.disconnect(daemon.process.stop)
        anki.mw.app.aboutToQuit.connect(daemon.process.stop)
    finally:
        daemon.process.stop()  # what Anki's quit signal runs
        anki.set_config(daemon_command="", daemon_url=url)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/health", timeout=5)


def test_the_daemon_starts_with_the_profile_when_asked(anki: AnkiSession, daemon_url: str) -> None:
    import requests

    port = free_port()
    command = f"{sys.executable} -m inference_daemon serve --backend {SCRIPTED} --port {port}"
    anki.set_config(daemon_command=command, daemon_url=f"http://127.0.0.1:{port}", start_daemon_on_open=True)
    daemon = coach().daemon
    try:
        coach().profile_closing()
        coach().profile_opened()  # what Anki runs when the profile opens again
        anki.wait_until(lambda: daemon.process.running and not daemon._starting, timeout=60,
                        what="the daemon started quietly with the profile")
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).json()["loaded"]
    finally:
        daemon.process.stop()
        anki.set_config(daemon_command="", daemon_url=daemon_url, start_daemon_on_open=False)
