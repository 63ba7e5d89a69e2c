"""Which rating a review records, and which assessments count for the review on screen."""

from __future__ import annotations

import pytest

from tests.anki_support.addon_import import addon_module

policy = addon_module("policy")
config = addon_module("config")
review_state = addon_module("review_state")
Policy = config.OnMispronounced


@pytest.mark.parametrize(("pressed", "needs_work", "rule", "recorded"), [
    (3, True, Policy.again, 1),
    (4, True, Policy.again, 1),
    (3, True, Policy.hard, 2),
    (1, True, Policy.hard, 1),  # never raised
    (3, True, Policy.unchanged, 3),
    (3, False, Policy.again, 3),  # clean reading
    (4, None, Policy.again, 4),  # not assessed in this review
])
def test_rating_after_assessment(pressed: int, needs_work: bool | None, rule: object, recorded: int) -> None:
    assert policy.rating_after_assessment(pressed, needs_work, rule) == recorded


def test_showing_the_same_card_twice_keeps_its_verdict() -> None:
    tracker = review_state.ReviewTracker()
    tracker.card_shown(7)
    tracker.recording_sent(7, "rec-a")
    assert tracker.assessed("rec-a", True, "<div>")
    tracker.card_shown(7)  # Anki redraws the question after the note changed
    assert tracker.needs_work(7) is True


def test_only_recordings_of_this_review_count() -> None:
    tracker = review_state.ReviewTracker()
    tracker.card_shown(7)
    assert not tracker.assessed("from-an-earlier-day", True, "<div>")
    assert tracker.needs_work(7) is None
    tracker.recording_sent(7, "rec-a")
    tracker.card_shown(8)  # the learner moved on before the verdict came back
    assert not tracker.assessed("rec-a", True, "<div>")
    assert tracker.needs_work(8) is None


def test_the_latest_assessment_of_the_review_decides() -> None:
    tracker = review_state.ReviewTracker()
    tracker.card_shown(7)
    tracker.recording_sent(7, "first")
    tracker.recording_sent(7, "second")
    tracker.assessed("first", True, "<div>")
    tracker.assessed("second", False, "<div>")
    assert tracker.needs_work(7) is False


def test_answering_ends_the_review() -> None:
    tracker = review_state.ReviewTracker()
    tracker.card_shown(7)
    tracker.recording_sent(7, "rec-a")
    tracker.assessed("rec-a", True, "<div>")
    tracker.card_answered(7)
    tracker.card_shown(7)  # the same card again after Again: a new review
    assert tracker.needs_work(7) is None


def test_the_consequence_is_told_before_answering() -> None:
    assert policy.consequence_text(True, Policy.again) == "This review will count as Again, whichever button you press."
    assert "Hard" in policy.consequence_text(True, Policy.hard)
    assert policy.consequence_text(True, Policy.unchanged) == ""
    assert policy.consequence_text(False, Policy.again) == ""
    assert policy.rating_cap(True, Policy.hard) == 2 and policy.rating_cap(None, Policy.again) is None


def test_a_recording_with_the_daemon_is_waited_for_until_its_verdict_or_failure() -> None:
    tracker = review_state.ReviewTracker()
    tracker.card_shown(7)
    tracker.recording_sent(7, "a")
    tracker.recording_sent(7, "b")
    assert tracker.waiting_for_verdict(7)
    tracker.recording_failed("a")
    assert tracker.waiting_for_verdict(7), "b is still with the daemon"
    tracker.assessed("b", True, "<div></div>")
    assert not tracker.waiting_for_verdict(7) and tracker.needs_work(7) is True
    assert not tracker.waiting_for_verdict(8)
