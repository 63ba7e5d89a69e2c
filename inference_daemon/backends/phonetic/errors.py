"""Turn per-phone evidence, scores and the competition's winner into phone errors and word status.

A flagged word's errors come first from the competitor that beat the expected pronunciation (a
substituted phone, a dropped final consonant, a vowel added after the word), since that names what
was heard. Other phones scored wrong are deletions when squeezed to the minimum duration; without a
winning competitor they are otherwise substitutions by an unclear sound (nothing better was heard).
A word is ``missing`` when every phone was squeezed to the minimum (nothing there to align).
Whisper's evidence can name the winner instead (:func:`judge_word`'s ``heard_rival``): it separates
close sounds that PocketSphinx's competition cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

from inference_daemon.backends.phonetic.competition import Competitor, WordContest
from inference_daemon.backends.phonetic.features import MIN_FRAMES, PhoneEvidence
from inference_daemon.feedback import ErrorType, PhoneError, WordStatus


@dataclass(frozen=True)
class WordVerdict:
    status: WordStatus
    errors: list[PhoneError]
    heard_phones: list[str]


def _winner_error(winner: Competitor, expected: list[str]) -> PhoneError:
    if len(winner.phones) > len(expected):
        return PhoneError(type=ErrorType.insertion, heard=winner.phones[winner.position], position=winner.position)
    if len(winner.phones) < len(expected):
        return PhoneError(type=ErrorType.deletion, expected=expected[winner.position], position=winner.position)
    return PhoneError(
        type=ErrorType.substitution,
        expected=expected[winner.position],
        heard=winner.phones[winner.position],
        position=winner.position,
    )


def _scored_error(position: int, item: PhoneEvidence, unclear: bool) -> PhoneError | None:
    if item.aligned.frames <= MIN_FRAMES:
        return PhoneError(type=ErrorType.deletion, expected=item.aligned.phone, position=position)
    return PhoneError(type=ErrorType.substitution, expected=item.aligned.phone, position=position) if unclear else None


def is_missing(word: list[PhoneEvidence]) -> bool:
    """Every phone squeezed to the minimum duration: nothing of the word was there to align."""
    return len(word) > 1 and all(item.aligned.frames <= MIN_FRAMES for item in word)


# Whisper's mean token log-probability from which a word counts as clearly heard: on the 2,500 train
# utterances 69 % of the words reach it, and 2.8 % of those are mispronounced by the experts' rule.
CLEARLY_HEARD_LOG_PROB = -1.5


def read_but_not_placed(word: list[PhoneEvidence], whisper_mean_log_prob: float | None) -> bool:
    """PocketSphinx squeezed the word out (:func:`is_missing`) but Whisper heard it clearly: it was read.

    After a word that was skipped, PocketSphinx sometimes squeezes the next word out too (espeak
    reading "I think we leave early" for "... should leave early": "leave" squeezed, Whisper's mean
    log-probability -0.7 against -11 for the skipped "should"). On the 2,500 train utterances, 3 of
    the 29 words PocketSphinx squeezed out were heard this clearly, and the experts scored all three
    10. Such a word passes: it is neither missing nor judged on phones PocketSphinx never placed.
    """
    return (whisper_mean_log_prob is not None and whisper_mean_log_prob >= CLEARLY_HEARD_LOG_PROB
            and is_missing(word))


def judge_word(
    word: list[PhoneEvidence],
    contest: WordContest,
    phone_wrong: list[bool],
    mispronounced: bool,
    heard_rival: Competitor | None = None,
) -> WordVerdict:
    """Status, errors (at most one per phone, in phone order) and heard phones of one word.

    ``heard_rival``: a competitor that Whisper found clearly more likely than the word; it flags the
    word whatever the score and names the error, before PocketSphinx's winner.
    """
    expected = [item.aligned.phone for item in word]
    winner = heard_rival if heard_rival is not None else contest.winner
    heard_phones = list(winner.phones) if winner is not None else expected
    mispronounced = mispronounced or heard_rival is not None
    if not mispronounced:
        return WordVerdict(WordStatus.ok, [], heard_phones)
    if is_missing(word):
        deletions = [
            PhoneError(type=ErrorType.deletion, expected=phone, position=i) for i, phone in enumerate(expected)
        ]
        return WordVerdict(WordStatus.missing, deletions, [])  # nothing of it heard, whatever competed
    errors = [] if winner is None else [_winner_error(winner, expected)]
    explained = {error.position for error in errors}
    unclear = winner is None
    errors.extend(
        error
        for position, (item, wrong) in enumerate(zip(word, phone_wrong, strict=True))
        if wrong and position not in explained and (error := _scored_error(position, item, unclear)) is not None
    )
    return WordVerdict(WordStatus.mispronounced, sorted(errors, key=lambda e: e.position), heard_phones)


def with_stress_error(verdict: WordVerdict, error: PhoneError) -> WordVerdict:
    """The verdict with a stress error added in phone order; a word judged ok becomes mispronounced
    (a wrong stress is an error the learner should work on, and the card comes back for it)."""
    status = WordStatus.mispronounced if verdict.status is WordStatus.ok else verdict.status
    errors = sorted([*verdict.errors, error], key=lambda e: e.position)
    return WordVerdict(status, errors, verdict.heard_phones)
