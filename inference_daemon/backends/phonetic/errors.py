"""Turn per-phone evidence and scores into the feedback's phone errors, heard phones and word status.

Substitutions name the phone the free phone loop heard over the expected phone's frames; deletions
are expected phones squeezed to the minimum duration or heard as silence; an insertion is a vowel
the loop heard after a word-final consonant (epenthesis, "big-uh"). A word is ``missing`` when
most of its frames were silence or every phone was squeezed to the minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

from inference_daemon.backends.phonetic.features import MIN_FRAMES, VOWELS, PhoneEvidence
from inference_daemon.backends.phonetic.phone_loop import SILENCE, HeardPhone, heard_in_span
from inference_daemon.feedback import ErrorType, PhoneError, WordStatus

# A word counts as skipped when at least this share of its frames was heard as silence.
MISSING_SILENCE_FRACTION = 0.6
# Heard segments shorter than this (frames) are too unreliable to report as insertions.
MIN_INSERTION_FRAMES = 4


@dataclass(frozen=True)
class WordVerdict:
    status: WordStatus
    errors: list[PhoneError]
    heard_phones: list[str]


def _phone_error(position: int, item: PhoneEvidence) -> PhoneError | None:
    expected = item.aligned.phone
    if item.silence_fraction > 0.5 or item.heard == SILENCE:
        return PhoneError(type=ErrorType.deletion, expected=expected, position=position)
    if item.heard != expected:
        return PhoneError(type=ErrorType.substitution, expected=expected, heard=item.heard, position=position)
    if item.aligned.frames <= MIN_FRAMES and item.heard_fraction == 0:
        return PhoneError(type=ErrorType.deletion, expected=expected, position=position)
    return None


def _epenthesis(word: list[PhoneEvidence], heard: list[HeardPhone]) -> PhoneError | None:
    last = word[-1].aligned
    if last.phone in VOWELS:
        return None
    for segment in heard:
        if (
            segment.phone in VOWELS
            and segment.frames >= MIN_INSERTION_FRAMES
            and last.start < segment.start
            and segment.start + segment.frames // 2 < last.end
        ):
            return PhoneError(type=ErrorType.insertion, heard=segment.phone, position=len(word))
    return None


def judge_word(
    word: list[PhoneEvidence],
    phone_wrong: list[bool],
    mispronounced: bool,
    heard: list[HeardPhone],
) -> WordVerdict:
    """Status, errors (at most one per phone, insertions last) and heard phones of one word."""
    start, end = word[0].aligned.start, word[-1].aligned.end
    heard_phones = heard_in_span(heard, start, end)
    frames = sum(item.aligned.frames for item in word)
    silent = sum(item.silence_fraction * item.aligned.frames for item in word) / frames
    squeezed = all(item.aligned.frames <= MIN_FRAMES for item in word) and len(word) > 1
    if mispronounced and (silent >= MISSING_SILENCE_FRACTION or squeezed or not heard_phones):
        deletions = [
            PhoneError(type=ErrorType.deletion, expected=item.aligned.phone, position=i)
            for i, item in enumerate(word)
        ]
        return WordVerdict(WordStatus.missing, deletions, heard_phones)
    if not mispronounced:
        return WordVerdict(WordStatus.ok, [], heard_phones)
    errors = [
        error
        for position, (item, wrong) in enumerate(zip(word, phone_wrong, strict=True))
        if wrong and (error := _phone_error(position, item)) is not None
    ]
    insertion = _epenthesis(word, heard)
    if insertion is not None:
        errors.append(insertion)
    return WordVerdict(WordStatus.mispronounced, errors, heard_phones)
