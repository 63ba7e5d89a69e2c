"""The add-on inside Anki's reviewer: record button and shortcut, status line, answer filter.

Hook handlers only; saving and sending belong to :mod:`assessment_flow`, the rating decision to
:mod:`policy`. ``mw`` is looked up when a hook fires, never at import time.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import aqt
from anki.cards import Card
from aqt.qt import QTimer
from aqt.reviewer import Reviewer
from aqt.utils import tooltip

from .assessment_flow import MESSAGE_PREFIX, AssessmentFlow
from .card_controls import CONTROLS_CSS, TOGGLE_MESSAGE, controls_html, status_update_js, with_controls
from .config import AddonConfig
from .note_type import matching_field
from .policy import rating_after_assessment
from .recorder import Recorder, RecordingUnavailable, create_recorder
from .render import FEEDBACK_CSS
from .review_state import ReviewTracker

log = logging.getLogger(__name__)

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
INDICATOR_INTERVAL_MS = 200
Ease = Literal[1, 2, 3, 4]


@dataclass
class ActiveRecording:
    card: Card
    recorder: Recorder
    max_s: float
    directory: tempfile.TemporaryDirectory[str]


class ReviewerController:
    def __init__(self, config: Callable[[], AddonConfig], tracker: ReviewTracker,
                 flow: Callable[[], AssessmentFlow | None]) -> None:
        self._config = config
        self._tracker = tracker
        self._flow = flow
        self._recording: ActiveRecording | None = None
        self._indicator: QTimer | None = None

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
        return with_controls(text, controls_html(config.shortcut, state, status or self._hint(config)),
                             CONTROLS_CSS + FEEDBACK_CSS)

    @staticmethod
    def _hint(config: AddonConfig) -> str:
        return f"Read the sentence aloud: press {config.shortcut} or the button to record."

    def set_status(self, card_id: int, state: str, text: str) -> None:
        """Show ``state``/``text`` for ``card_id`` now, and on later redraws of this review."""
        if review := self._tracker.review_of(card_id):
            review.state, review.status = state, text
        mw = aqt.mw
        if mw is not None and mw.state == "review" and mw.reviewer.card and mw.reviewer.card.id == card_id:
            mw.reviewer.web.eval(status_update_js(state, text))

    # Review lifecycle -------------------------------------------------------------------------

    def question_shown(self, card: Card) -> None:
        if self._recording and self._recording.card.id != card.id:
            self._stop_recording()
        self._tracker.card_shown(card.id)

    def will_answer(self, ease_tuple: tuple[bool, Ease], reviewer: Reviewer, card: Card) -> tuple[bool, Ease]:
        proceed, pressed = ease_tuple
        if not proceed:
            return ease_tuple
        if self._recording and self._recording.card.id == card.id:
            self._stop_recording()
        rating = rating_after_assessment(pressed, self._tracker.needs_work(card.id), self._config().on_mispronounced)
        if rating != pressed:
            tooltip(f"{MESSAGE_PREFIX}answered {RATING_NAMES[rating]}: this reading had words to work on.")
        return proceed, cast(Ease, rating)

    def did_answer(self, reviewer: Reviewer, card: Card, ease: int) -> None:
        self._tracker.card_answered(card.id)

    def reviewer_will_end(self) -> None:
        if self._recording:
            self._stop_recording()
        self._tracker.reset()

    # Input ------------------------------------------------------------------------------------

    def js_message(self, handled: tuple[bool, Any], message: str, context: Any) -> tuple[bool, Any]:
        if message != TOGGLE_MESSAGE or not isinstance(context, Reviewer):
            return handled
        self.toggle_recording()
        return True, None

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
        card = mw.reviewer.card
        config = self._config()
        if matching_field(card.note(), config.sentence_field) is None:
            tooltip(f"{MESSAGE_PREFIX}this card has no '{config.sentence_field}' field to read.")
            return
        directory = tempfile.TemporaryDirectory(prefix="pronunciation_coach_")
        try:
            recorder = create_recorder(config.recorder, Path(directory.name) / "recording.wav", mw)
            recorder.start()
        except RecordingUnavailable as exc:
            directory.cleanup()
            tooltip(f"{MESSAGE_PREFIX}cannot record: {exc}", period=6000)
            return
        self._tracker.card_shown(card.id)
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
                        f"{self._config().shortcut} to stop")

    def _stop_recording(self) -> None:
        recording, self._recording = self._recording, None
        if recording is None:
            return
        if self._indicator is not None:
            self._indicator.stop()
            self._indicator.deleteLater()
            self._indicator = None
        self.set_status(recording.card.id, "sending", "Saving your recording…")
        recording.recorder.stop(lambda wav: self._recorded(recording, wav))

    def _recorded(self, recording: ActiveRecording, wav: Path | None) -> None:
        flow = self._flow()
        try:
            if wav is None:
                self.set_status(recording.card.id, "error", "Nothing was recorded; try again.")
            elif flow is not None and aqt.mw is not None and aqt.mw.col is not None:
                flow.submit(recording.card, wav)
        finally:
            recording.directory.cleanup()
