"""What happened to the card on screen during this review: recordings sent and the latest verdict.

Pure bookkeeping for the reviewer hooks. Anki may announce the same question twice (a redraw after a
note change), so showing a card that is already current keeps its state; only an answer, or another
card, starts a new review. A verdict counts only for recordings made during the current review.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CardReview:
    card_id: int
    recording_ids: set[str] = field(default_factory=set)
    #: recordings of this review sent to the daemon whose verdict is not back (nor given up on)
    pending_ids: set[str] = field(default_factory=set)
    needs_work: bool | None = None
    state: str = "idle"
    status: str = ""
    feedback_html: str | None = None


class ReviewTracker:
    """Tracks the one card under review."""

    def __init__(self) -> None:
        self.current: CardReview | None = None

    def card_shown(self, card_id: int) -> CardReview:
        """Start a review for ``card_id`` unless it is already the card under review."""
        if self.current is None or self.current.card_id != card_id:
            self.current = CardReview(card_id)
        return self.current

    def review_of(self, card_id: int) -> CardReview | None:
        return self.current if self.current is not None and self.current.card_id == card_id else None

    def recording_sent(self, card_id: int, recording_id: str) -> None:
        if review := self.review_of(card_id):
            review.recording_ids.add(recording_id)
            review.pending_ids.add(recording_id)

    def recording_failed(self, recording_id: str) -> None:
        """The daemon will not answer ``recording_id`` soon (down, refused): stop waiting for it."""
        if self.current is not None:
            self.current.pending_ids.discard(recording_id)

    def waiting_for_verdict(self, card_id: int) -> bool:
        """Whether a recording of this review of ``card_id`` is with the daemon right now."""
        review = self.review_of(card_id)
        return bool(review and review.pending_ids)

    def assessed(self, recording_id: str, needs_work: bool, feedback_html: str) -> bool:
        """Record a verdict if ``recording_id`` was made in the current review; True when it was."""
        review = self.current
        if review is None or recording_id not in review.recording_ids:
            return False
        review.pending_ids.discard(recording_id)
        review.needs_work, review.feedback_html = needs_work, feedback_html
        return True

    def needs_work(self, card_id: int) -> bool | None:
        """The latest verdict of this review of ``card_id``; None when it was not assessed."""
        review = self.review_of(card_id)
        return review.needs_work if review else None

    def card_answered(self, card_id: int) -> None:
        if self.review_of(card_id):
            self.current = None

    def reset(self) -> None:
        self.current = None
