"""The add-on inside Anki's reviewer: record button and shortcut, status line, verdict, answer filter.

Hook handlers only; saving and sending belong to :mod:`assessment_flow`, the rating decision to
:mod:`policy`. ``mw`` is looked up when a hook fires, never at import time. The add-on's note writes
name the reviewer as their initiator, so Anki never redraws the card for them (a redraw replays the
card's audio); this module updates what is on screen in place instead.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import aqt
from anki.cards import Card
from aqt.qt import QKeySequence, QTimer
from aqt.reviewer import Reviewer
from aqt.sound import av_player
from aqt.utils import tooltip

from .assessment_flow import MESSAGE_PREFIX, AssessmentFlow, message_html
from .card_controls import CONTROLS_CSS, TOGGLE_MESSAGE, controls_html, status_update_js, with_controls
from .config import AddonConfig
from .note_type import matching_field
from .policy import RATING_NAMES, consequence_text, rating_after_assessment, rating_cap
from .recorder import Recorder, RecordingUnavailable, create_recorder
from .render import FEEDBACK_CSS, PLAY_MESSAGE_PREFIX
from .review_state import ReviewTracker

log = logging.getLogger(__name__)

INDICATOR_INTERVAL_MS = 200
WAIT_POLL_MS = 100
Ease = Literal[1, 2, 3, 4]


def shortcut_label(shortcut: str) -> str:
    """The shortcut as this platform writes it (``Ctrl+Shift+R`` on Linux and Windows, ``⇧⌘R`` on a Mac)."""
    text = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
    return text or shortcut


def feedback_update_js(html: str) -> str:
    """JavaScript that puts fresh feedback on the answer side in place of the old, or after the card."""
    return ("(function(){var old=document.querySelector('.pc-feedback');"
            f"var html={json.dumps(html)};"
            "if(old){old.outerHTML=html;}else{var qa=document.getElementById('qa')||document.body;"
            "qa.insertAdjacentHTML('beforeend',html);}})();")


def capped_buttons_js(cap: int) -> str:
    """JavaScript for the bottom bar: buttons above ``cap`` show the interval of the rating they will record."""
    return ("(function(){var capped=document.querySelector('button[data-ease=\"" + str(cap) + "\"] .nobold');"
            "document.querySelectorAll('button[data-ease]').forEach(function(b){"
            "if(+b.dataset.ease>" + str(cap) + "){var s=b.querySelector('.nobold');"
            "if(s&&capped){s.textContent=capped.textContent;}b.classList.add('pc-capped');}});})();")


@dataclass
class ActiveRecording:
    card: Card
    recorder: Recorder
    max_s: float
    directory: tempfile.TemporaryDirectory[str]


@dataclass
class DeferredAnswer:
    """An answer pressed while the verdict on this review's reading was still on its way."""

    card_id: int
    pressed: Ease
    deadline: float


class ReviewerController:
    def __init__(self, config: Callable[[], AddonConfig], tracker: ReviewTracker,
                 flow: Callable[[], AssessmentFlow | None]) -> None:
        self._config = config
        self._tracker = tracker
        self._flow = flow
        self._recording: ActiveRecording | None = None
        self._stopping_card_id: int | None = None
        self._indicator: QTimer | None = None
        self._deferred: DeferredAnswer | None = None
        self._wait_timer: QTimer | None = None
        self._answering_deferred = False
        self._latest_recording: tuple[int, Path] | None = None  # card id, media path

    # Drawing ----------------------------------------------------------------------------------

    def card_will_show(self, text: str, card: Card, kind: str) -> str:
        if kind not in ("reviewQuestion", "reviewAnswer"):
            return text
        config = self._config()
        note = card.note()
        if matching_field(note, config.sentence_field) is None:
            return text
        review = self._tracker.review_of(card.id)
        state, status = (review.state, review.status) if review else ("idle", "")
        if self._recording and self._recording.card.id == card.id:
            state = "recording"
        if kind == "reviewAnswer" and review and review.feedback_html \
                and matching_field(note, config.feedback_field) is None:
            text += review.feedback_html
        label = shortcut_label(config.shortcut)
        return with_controls(text, controls_html(label, state, status or self._hint(label)),
                             CONTROLS_CSS + FEEDBACK_CSS)

    @staticmethod
    def _hint(shortcut: str) -> str:
        return f"Read the sentence aloud: press {shortcut} or the button to record."

    def _on_screen(self, card_id: int) -> Reviewer | None:
        mw = aqt.mw
        if mw is not None and mw.state == "review" and mw.reviewer.card and mw.reviewer.card.id == card_id:
            return mw.reviewer
        return None

    def set_status(self, card_id: int, state: str, text: str) -> None:
        """Show ``state``/``text`` for ``card_id`` now, and on later redraws of this review."""
        if review := self._tracker.review_of(card_id):
            review.state, review.status = state, text
        if reviewer := self._on_screen(card_id):
            reviewer.web.eval(status_update_js(state, text))

    # What the assessment flow reports --------------------------------------------------------

    def recording_saved(self, card_id: int, media_path: Path) -> None:
        """``V`` (Anki's replay-your-voice key) now plays this recording while the card is on screen."""
        self._latest_recording = (card_id, media_path)

    def verdict_written(self, card_id: int, note_id: int, summary: str, feedback_html: str) -> bool:
        """Say on the card what the verdict means for the answer, before any button is pressed."""
        reviewer = self._on_screen(card_id)
        if reviewer is None:
            return False
        config = self._config()
        consequence = consequence_text(self._tracker.needs_work(card_id), config.on_mispronounced)
        self.set_status(card_id, "needs-work" if consequence else "done",
                        f"{summary}. {consequence}" if consequence else summary)
        card = reviewer.card
        assert card is not None
        card.render_output(reload=True)  # the answer side, when shown, renders the note as written now
        if reviewer.state == "answer":
            reviewer.web.eval(feedback_update_js(feedback_html))
            reviewer._showEaseButtons()  # the buttons now say which rating they will record
        return True

    # Review lifecycle -------------------------------------------------------------------------

    def question_shown(self, card: Card) -> None:
        if self._recording and self._recording.card.id != card.id:
            self._stop_recording()
        if self._deferred and self._deferred.card_id != card.id:
            self._cancel_wait()
        self._tracker.card_shown(card.id)

    def replay_recording(self, path: str | None) -> str | None:
        """Filter of Anki's ``V``: the learner's latest recording of the card on screen, else Anki's own."""
        mw = aqt.mw
        card = mw.reviewer.card if mw is not None else None
        if card is not None and self._latest_recording and self._latest_recording[0] == card.id \
                and self._latest_recording[1].exists():
            return str(self._latest_recording[1])
        return path

    def answer_buttons(self, buttons: tuple[tuple[int, str], ...], reviewer: Reviewer,
                       card: Card) -> tuple[tuple[int, str], ...]:
        """Buttons above the policy's cap say what they will record: "Good → Again"."""
        cap = rating_cap(self._tracker.needs_work(card.id), self._config().on_mispronounced)
        if cap is None:
            return buttons
        QTimer.singleShot(0, lambda: reviewer.bottom.web.eval(capped_buttons_js(cap)))
        return tuple((ease, f"{label} → {RATING_NAMES[cap]}" if ease > cap else label) for ease, label in buttons)

    def will_answer(self, ease_tuple: tuple[bool, Ease], reviewer: Reviewer, card: Card) -> tuple[bool, Ease]:
        proceed, pressed = ease_tuple
        if not proceed:
            return ease_tuple
        if self._deferred is not None:  # a second press while waiting: the first one stands
            return False, pressed
        if self._recording and self._recording.card.id == card.id:
            self._stop_recording()
        verdict_on_its_way = self._stopping_card_id == card.id or self._tracker.waiting_for_verdict(card.id)
        wait_s = self._config().verdict_wait_s
        if verdict_on_its_way and not self._answering_deferred and wait_s > 0:
            self._wait_for_verdict(card.id, pressed, wait_s)
            return False, pressed
        rating = rating_after_assessment(pressed, self._tracker.needs_work(card.id), self._config().on_mispronounced)
        return proceed, cast(Ease, rating)

    def did_answer(self, reviewer: Reviewer, card: Card, ease: int) -> None:
        self._tracker.card_answered(card.id)

    def reviewer_will_end(self) -> None:
        if self._recording:
            self._stop_recording()
        self._cancel_wait()
        self._tracker.reset()

    # Waiting for a verdict that is on its way -------------------------------------------------

    def _wait_for_verdict(self, card_id: int, pressed: Ease, wait_s: float) -> None:
        mw = aqt.mw
        assert mw is not None
        self._deferred = DeferredAnswer(card_id, pressed, time.monotonic() + wait_s)
        self.set_status(card_id, "sending", f"Checking your reading… (up to {wait_s:.0f} s, then your "
                                            f"{RATING_NAMES[pressed]} is recorded)")
        self._wait_timer = QTimer(mw)
        self._wait_timer.timeout.connect(self._check_deferred)
        self._wait_timer.start(WAIT_POLL_MS)

    def _check_deferred(self) -> None:
        deferred = self._deferred
        reviewer = self._on_screen(deferred.card_id) if deferred else None
        if deferred is None or reviewer is None or reviewer.state != "answer":
            self._cancel_wait()
            return
        still_waiting = self._stopping_card_id == deferred.card_id \
            or self._tracker.waiting_for_verdict(deferred.card_id)
        timed_out = time.monotonic() >= deferred.deadline
        if still_waiting and not timed_out:
            return
        self._cancel_wait()
        needs_work = self._tracker.needs_work(deferred.card_id)
        rating = rating_after_assessment(deferred.pressed, needs_work, self._config().on_mispronounced)
        if still_waiting:
            tooltip(message_html(f"{MESSAGE_PREFIX}answered {RATING_NAMES[deferred.pressed]} as pressed:\n"
                                 "the check of your reading was not back in time (its feedback will still "
                                 "reach the card)."), period=6000)
        elif rating != deferred.pressed:
            tooltip(f"{MESSAGE_PREFIX}answered {RATING_NAMES[rating]}: this reading had words to work on.")
        self._answering_deferred = True
        try:
            reviewer._answerCard(deferred.pressed)
        finally:
            self._answering_deferred = False

    def _cancel_wait(self) -> None:
        self._deferred = None
        if self._wait_timer is not None:
            self._wait_timer.stop()
            self._wait_timer.deleteLater()
            self._wait_timer = None

    # Input ------------------------------------------------------------------------------------

    def js_message(self, handled: tuple[bool, Any], message: str, context: Any) -> tuple[bool, Any]:
        if not isinstance(context, Reviewer):
            return handled
        if message == TOGGLE_MESSAGE:
            self.toggle_recording()
            return True, None
        if message.startswith(PLAY_MESSAGE_PREFIX):
            self._play(message[len(PLAY_MESSAGE_PREFIX):])
            return True, None
        return handled

    @staticmethod
    def _play(media_file: str) -> None:
        """Play a file of the media folder through Anki's player (names with a path are refused)."""
        mw = aqt.mw
        if mw is None or mw.col is None or Path(media_file).name != media_file:
            return
        path = Path(mw.col.media.dir()) / media_file
        if path.is_file():
            av_player.play_file(str(path))

    def shortcuts(self, state: str, shortcuts: list[tuple[str, Callable[[], None]]]) -> None:
        if state == "review":
            shortcuts.append((self._config().shortcut, self.toggle_recording))

    def toggle_recording(self) -> None:
        if self._recording:
            self._stop_recording()
        else:
            self._start_recording()

    # Recording --------------------------------------------------------------------------------

    def _start_recording(self) -> None:
        mw = aqt.mw
        if mw is None or mw.state != "review" or mw.reviewer.card is None or self._flow() is None:
            return
        if self._stopping_card_id is not None or self._deferred is not None:
            return  # the previous recording is still being saved, or an answer is waiting
        card = mw.reviewer.card
        config = self._config()
        if matching_field(card.note(), config.sentence_field) is None:
            tooltip(f"{MESSAGE_PREFIX}this card has no '{config.sentence_field}' field to read.")
            return
        self._tracker.card_shown(card.id)
        directory = tempfile.TemporaryDirectory(prefix="pronunciation_coach_")
        try:
            recorder = create_recorder(config.recorder, Path(directory.name) / "recording.wav", mw)
            recorder.start()
        except RecordingUnavailable as exc:
            directory.cleanup()
            self.set_status(card.id, "error", f"Cannot record: {exc}")
            tooltip(message_html(f"{MESSAGE_PREFIX}cannot record:\n{exc}"), period=6000)
            return
        except Exception:  # a recorder must never leave Anki's error dialog blaming the add-on mid-review
            directory.cleanup()
            log.exception("the %s recorder failed to start", config.recorder.value)
            self.set_status(card.id, "error", "Cannot record: the recorder failed (details in Anki's log).")
            return
        self._recording = ActiveRecording(card, recorder, config.max_recording_s, directory)
        self._indicator = QTimer(mw)
        self._indicator.timeout.connect(self._tick)
        self._indicator.start(INDICATOR_INTERVAL_MS)
        self._tick()

    def _tick(self) -> None:
        recording = self._recording
        if recording is None:
            return
        elapsed = recording.recorder.elapsed_s()
        if elapsed >= recording.max_s:
            self._stop_recording()
            return
        self.set_status(recording.card.id, "recording",
                        f"Recording… {elapsed:0.1f} s of {recording.max_s:0.0f} s — "
                        f"{shortcut_label(self._config().shortcut)} to stop")

    def _stop_recording(self) -> None:
        recording, self._recording = self._recording, None
        if recording is None:
            return
        if self._indicator is not None:
            self._indicator.stop()
            self._indicator.deleteLater()
            self._indicator = None
        self._stopping_card_id = recording.card.id
        self.set_status(recording.card.id, "sending", "Saving your recording…")
        try:
            recording.recorder.stop(lambda wav: self._recorded(recording, wav))
        except Exception:
            log.exception("the recorder failed to stop")
            self._recorded(recording, None)

    def _recorded(self, recording: ActiveRecording, wav: Path | None) -> None:
        flow = self._flow()
        try:
            if wav is None:
                self.set_status(recording.card.id, "error", "Nothing was recorded; try again.")
            elif flow is not None and aqt.mw is not None and aqt.mw.col is not None:
                flow.submit(recording.card, wav)
        finally:
            self._stopping_card_id = None
            recording.directory.cleanup()
