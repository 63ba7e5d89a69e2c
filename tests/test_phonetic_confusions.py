"""Learner confusions read by espeak-ng in a voice never used for tuning: the misread word is flagged
and named with the right error, the reading as written is not flagged.

Thresholds are on rates over the set, measured with ``bench/bench_phonetic_confusions.py`` (which
reads all 36 cases in six voices); here one held-out voice keeps the suite quick. Measured in this
voice: hit 0.53, named right 0.47, false alarms 0.032 over all correct words; PocketSphinx alone
(``--no-whisper``): 0.25, 0.14, 0.028. The floors sit between the two with room for espeak-ng's
small changes between versions.
"""

from __future__ import annotations

from functools import lru_cache

from tests.confusion_pairs import CONFUSIONS, Reading, rates, read_cases
from tests.phonetic_fixtures import loaded_backend, needs_espeak

pytestmark = needs_espeak

VOICE = "en-gb-x-rp"
HIT_RATE_FLOOR = 0.42
NAMED_RIGHT_FLOOR = 0.35
FALSE_ALARM_CEILING = 0.08


@lru_cache(maxsize=1)
def _readings() -> tuple[Reading, ...]:
    return tuple(read_cases(loaded_backend(), [VOICE], CONFUSIONS))


def test_most_misread_words_are_flagged() -> None:
    assert rates(list(_readings())).hit >= HIT_RATE_FLOOR


def test_flagged_misreadings_are_named_with_the_confusion_that_was_read() -> None:
    assert rates(list(_readings())).named_right >= NAMED_RIGHT_FLOOR


def test_correctly_read_words_are_rarely_flagged() -> None:
    assert rates(list(_readings())).false_alarm <= FALSE_ALARM_CEILING
