"""The path of one recording: media folder and queue, then the daemon in the background, then the note.

Order matters: the WAV is saved to the collection's media folder and queued (and linked in the
Recording field) before anything is sent, so a daemon that is down loses nothing. Network calls run
in a ``QueryOp`` without the collection, never on the UI thread; the feedback is written with an
undoable ``CollectionOp``. Recordings that could not be sent are retried on a timer and from the menu.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Protocol

from anki.cards import Card, CardId
from anki.errors import NotFoundError
from anki.notes import NoteId
from aqt.main import AnkiQt
from aqt.operations import CollectionOp, QueryOp
from aqt.qt import QTimer
from aqt.utils import tooltip

from .audio_compression import compressed_bytes
from .authoring.import_rules import field_text
from .client import DaemonClient, DaemonError
from .config import AddonConfig
from .document import Feedback
from .history import AssessmentHistory, HistoryEntry, migrate_legacy_history
from .note_type import matching_field
from .note_writes import RECORDING_PREFIX, attach_recording, write_feedback
from .queue_store import QueuedRecording, RecordingQueue, new_recording
from .render import render_feedback, summary_line
from .review_state import ReviewTracker
from .storage import HISTORY_FILE, QUEUE_FILE, device_id

log = logging.getLogger(__name__)

SOUND_TAG = re.compile(r"\[sound:([^\]]+)\]")
MESSAGE_PREFIX = "Pronunciation Coach: "
FIRST_RETRY_DELAY_MS = 3000



class ReviewDisplay(Protocol):
    """What the flow tells the reviewer; it decides what is on screen (see :mod:`reviewer`)."""

    def set_status(self, card_id: int, state: str, text: str) -> None: ...

    def recording_saved(self, card_id: int, media_path: Path) -> None: ...

    def verdict_written(self, card_id: int, note_id: int, summary: str, feedback_html: str) -> bool:
        """Show the verdict if the card is on screen; True when it was."""
        ...


def message_html(text: str) -> str:
    """A tooltip's text: escaped, its lines kept (Anki's tooltip is HTML, and one long line gets cut off)."""
    return "<br>".join(escape(line) for line in text.splitlines())


class AssessmentFlow:
    """One per open profile; owns the queue, the history and the retry timer."""

    def __init__(self, mw: AnkiQt, store_dir: Path, config: Callable[[], AddonConfig], tracker: ReviewTracker,
                 display: ReviewDisplay, not_running_hint: Callable[[], str] = lambda: "") -> None:
        self.mw = mw
        self.queue = RecordingQueue(store_dir / QUEUE_FILE)
        assert mw.col is not None
        self.history = AssessmentHistory(Path(mw.col.media.dir()), device_id(store_dir))
        migrate_legacy_history(store_dir / HISTORY_FILE, self.history)
        self._config = config
        self._tracker = tracker
        self._display = display
        self._on_status = display.set_status
        self._not_running_hint = not_running_hint
        self._in_flight: set[str] = set()
        self._closed = False
        self._retry_timer = QTimer(mw)
        self._retry_timer.timeout.connect(lambda: self.retry_queued(quiet=True))
        self.restart_retry_timer()
        if len(self.queue):
            QTimer.singleShot(FIRST_RETRY_DELAY_MS, lambda: self.retry_queued(quiet=True))

    def restart_retry_timer(self) -> None:
        self._retry_timer.start(int(self._config().retry_interval_s * 1000))

    def close(self) -> None:
        """Stop for good: answers and timers still on their way are ignored, because ``mw.col`` may by then
        be another profile's collection and this flow's queue file may already belong to a newer flow."""
        self._closed = True
        self._retry_timer.stop()

    def _client(self) -> DaemonClient:
        config = self._config()
        return DaemonClient(config.daemon_url, config.token, config.request_timeout_s)

    # Saving -----------------------------------------------------------------------------------

    def submit(self, card: Card, wav_path: Path) -> None:
        """Save ``wav_path`` for ``card`` into media, queue it, link it, then send it."""
        col = self.mw.col
        config = self._config()
        note = card.note()
        sentence_field = matching_field(note, config.sentence_field)
        if sentence_field is None:
            return
        audio, extension = compressed_bytes(wav_path)
        media_file = col.media.write_data(
            f"{RECORDING_PREFIX}{note.id}_{time.strftime('%Y%m%d-%H%M%S')}.{extension}", audio)
        entry = new_recording(card.id, note.id, media_file, field_text(note[sentence_field]))
        self.queue.add(entry)
        self._tracker.recording_sent(card.id, entry.id)
        self._display.recording_saved(card.id, Path(col.media.dir()) / media_file)
        recording_field = matching_field(note, config.recording_field)
        if recording_field is None:
            self.send(entry)
            return
        # The reviewer is the initiator, so it does not redraw the card (which would replay its audio):
        # the reviewer updates what is on screen itself.
        keep = {item.media_file for item in self.queue.items()}  # still to be sent: never trashed
        CollectionOp(self.mw, lambda col: attach_recording(col, note.id, recording_field, media_file, keep)) \
            .success(lambda _: self.send(entry)) \
            .failure(lambda exc: self._kept_after_failure(entry, f"the recording could not be linked ({exc})")) \
            .run_in_background(initiator=self.mw.reviewer)

    # Sending ----------------------------------------------------------------------------------

    def send(self, entry: QueuedRecording, *, quiet: bool = False) -> None:
        if self._closed or entry.id in self._in_flight or self.mw.col is None:
            return
        audio_path = Path(self.mw.col.media.dir()) / entry.media_file
        if not audio_path.exists():  # removed from the media folder (Check Media, another device)
            log.warning("recording %s is no longer in the media folder; dropping it from the queue", audio_path)
            self.queue.remove(entry.id)
            return
        self._in_flight.add(entry.id)
        self._on_status(entry.card_id, "sending", "Listening to your recording…")
        client = self._client()
        language = self._config().native_language

        def assess(_: Any) -> tuple[Feedback, dict[str, Any]]:
            return client.assess(audio_path, entry.sentence, native_language=language, request_id=entry.id)

        QueryOp(parent=self.mw, op=assess, success=lambda result: self._assessed(entry, *result)) \
            .failure(lambda exc: self._failed(entry, exc, quiet)) \
            .without_collection() \
            .run_in_background()

    def retry_queued(self, *, quiet: bool = False) -> int:
        """Send every queued recording not already on its way; returns how many were sent."""
        waiting = [entry for entry in self.queue.items() if entry.id not in self._in_flight]
        for entry in waiting:
            self.send(entry, quiet=quiet)
        return len(waiting)

    def _failed(self, entry: QueuedRecording, exc: Exception, quiet: bool) -> None:
        self._in_flight.discard(entry.id)
        if self._closed:
            return
        if not isinstance(exc, DaemonError):
            log.exception("sending recording %s failed", entry.id, exc_info=exc)
            exc = DaemonError(f"sending failed unexpectedly ({exc})", retryable=True)
        self._tracker.recording_failed(entry.id)
        if not exc.retryable:
            self.queue.remove(entry.id)
            self._on_status(entry.card_id, "error", f"Not assessed: {exc.message}")
            tooltip(message_html(MESSAGE_PREFIX + exc.message), period=6000)
            return
        self.queue.record_failure(entry.id, exc.message)
        self._on_status(entry.card_id, "queued", f"Saved — {exc.message}; it will be sent when the daemon answers.")
        if exc.retry_after_s is not None:  # the daemon was busy and said when to come back
            QTimer.singleShot(int(exc.retry_after_s * 1000), lambda: self._resend_if_queued(entry.id))
        if not quiet:
            lines = [f"{MESSAGE_PREFIX}{exc.message}.", "Your recording is saved and will be sent later."]
            if exc.not_running and (hint := self._not_running_hint()):
                lines.append(hint)
            tooltip(message_html("\n".join(lines)), period=8000)

    def _resend_if_queued(self, recording_id: str) -> None:
        if self.mw.col is not None and (entry := self.queue.get(recording_id)):
            self.send(entry, quiet=True)

    def _kept_after_failure(self, entry: QueuedRecording, message: str) -> None:
        log.error("%s (recording %s stays queued)", message, entry.id)
        self._tracker.recording_failed(entry.id)
        self._on_status(entry.card_id, "queued", "Saved — it will be sent later.")

    # Applying ---------------------------------------------------------------------------------

    def _assessed(self, entry: QueuedRecording, feedback: Feedback, raw: dict[str, Any]) -> None:
        self._in_flight.discard(entry.id)
        col = self.mw.col
        if self._closed or col is None:  # the profile closed meanwhile; the queue keeps the recording for next time
            return
        try:
            note = col.get_note(NoteId(entry.note_id))
            card = col.get_card(CardId(entry.card_id))
        except NotFoundError:
            log.info("note or card of recording %s was deleted; dropping it from the queue", entry.id)
            self.queue.remove(entry.id)
            return
        config = self._config()
        reference = matching_field(note, config.reference_audio_field)
        reference_file = match.group(1) if reference and (match := SOUND_TAG.search(note[reference])) else None
        assessed_at = datetime.now().astimezone()
        html = render_feedback(feedback, assessed_at=assessed_at, recording_file=entry.media_file,
                               reference_file=reference_file)
        needs_work = bool(feedback.words_needing_work)
        history_entry = HistoryEntry(
            assessed_at=assessed_at.isoformat(timespec="seconds"), card_id=entry.card_id, note_id=entry.note_id,
            deck_name=col.decks.name(card.odid or card.did), recording=entry.media_file, document=raw,
        )
        feedback_field = matching_field(note, config.feedback_field)

        def written(_: Any) -> None:
            if self._closed:  # the recording stays queued; the next flow sends it again
                return
            self.queue.remove(entry.id)
            self.history.append(history_entry)
            self._tracker.assessed(entry.id, needs_work, html)
            if not self._display.verdict_written(entry.card_id, entry.note_id, summary_line(feedback), html):
                tooltip(MESSAGE_PREFIX + summary_line(feedback))  # the card is gone from the screen

        CollectionOp(self.mw, lambda col: write_feedback(col, entry.note_id, feedback_field, html, needs_work)) \
            .success(written) \
            .failure(lambda exc: self._kept_after_failure(entry, f"the feedback could not be saved ({exc})")) \
            .run_in_background(initiator=self.mw.reviewer)
