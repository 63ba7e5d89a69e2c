"""Turn the CTC evidence about a word into its scores, phone errors and status.

The phone score is the GOP read as a probability: 100 × the posterior of the expected phone among
all the hypotheses (itself, every substitute, its deletion). A phone is wrong when some other
hypothesis explains the audio better, and the error names that hypothesis; insertions come from
the free decoding. A word is missing when the window is likelier without it than with it and the
free decoding heard nothing in it: two signs, so that a word said badly but said is not called
skipped. These rules need no fitting, so they hold for any checkpoint; a scorer fitted per
checkpoint on speechocean762 would replace them (see ``docs/ctc.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from inference_daemon.backends.ctc.analysis import PhoneEvidence, WordEvidence
from inference_daemon.feedback import ErrorType, PhoneError, WordStatus


@dataclass(frozen=True)
class WordJudgement:
    """Scores 0-100 per phone (``None``: the model cannot score it) and for the word, errors and status."""

    phone_scores: list[float | None]
    score: float | None
    status: WordStatus
    errors: list[PhoneError]


def phone_score(evidence: PhoneEvidence) -> float | None:
    """100 × the posterior of the expected phone among the hypotheses, or ``None`` when unscored."""
    if evidence.gop is None:
        return None
    return 100.0 * math.exp(evidence.gop.gop)


def phone_error(position: int, evidence: PhoneEvidence) -> PhoneError | None:
    """The substitution or deletion that explains the audio better than the expected phone, if any."""
    if evidence.gop is None or evidence.gop.margin <= 0:
        return None
    if evidence.gop.competitor is None:
        return PhoneError(type=ErrorType.deletion, expected=evidence.phone, position=position)
    return PhoneError(type=ErrorType.substitution, expected=evidence.phone, heard=evidence.gop.competitor,
                      position=position)


def judge_word(word: WordEvidence) -> WordJudgement:
    """Scores, errors (in phone order, insertions at their place) and the status of one word."""
    scores = [phone_score(phone) for phone in word.phones]
    scored = [score for score in scores if score is not None]
    word_score = sum(scored) / len(scored) if scored else None
    if scored and word.deletion_margin > 0 and not word.heard:
        deletions = [PhoneError(type=ErrorType.deletion, expected=phone.phone, position=position)
                     for position, phone in enumerate(word.phones) if phone.scored]
        return WordJudgement(scores, word_score, WordStatus.missing, deletions)
    errors = [error for position, phone in enumerate(word.phones) if (error := phone_error(position, phone))]
    errors += [PhoneError(type=ErrorType.insertion, heard=heard, position=position)
               for position, heard in word.insertions]
    errors.sort(key=lambda error: (error.position, error.type is not ErrorType.insertion))
    status = WordStatus.mispronounced if errors else WordStatus.ok
    return WordJudgement(scores, word_score, status, errors)
