"""Decide which rating a review records when this review's recording had mispronounced words.

Pure: the reviewer's answer filter asks :func:`rating_after_assessment` and passes the result on, so
exactly one review is logged and FSRS or SM-2 see an ordinary answer.
"""

from __future__ import annotations

from .config import OnMispronounced

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
_POLICY_CAP = {OnMispronounced.again: AGAIN, OnMispronounced.hard: HARD}


def rating_after_assessment(pressed: int, needs_work: bool | None, policy: OnMispronounced) -> int:
    """The rating to record.

    ``needs_work`` is ``None`` when the card was not assessed in this review (then nothing changes),
    else whether the latest assessment found mispronounced or missing words. The policy only ever
    lowers the rating: a learner who pressed Again stays at Again under the ``hard`` policy.
    """
    if not needs_work or policy is OnMispronounced.unchanged:
        return pressed
    return min(pressed, _POLICY_CAP[policy])


def rating_cap(needs_work: bool | None, policy: OnMispronounced) -> int | None:
    """The highest rating this review can record (None: any), known as soon as the verdict is back."""
    if not needs_work or policy is OnMispronounced.unchanged:
        return None
    return _POLICY_CAP[policy]


RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}


def consequence_text(needs_work: bool | None, policy: OnMispronounced) -> str:
    """What the learner should know before pressing an answer button ("" when nothing changes)."""
    cap = rating_cap(needs_work, policy)
    if cap == AGAIN:
        return "This review will count as Again, whichever button you press."
    if cap == HARD:
        return "Good and Easy will count as Hard in this review."
    return ""
