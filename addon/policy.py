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
