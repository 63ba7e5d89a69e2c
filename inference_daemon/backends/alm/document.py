"""Turn a model's parsed answer into the version-1 feedback document, following the target sentence.

The document's words are always the sentence's words (:func:`inference_daemon.sentence.split_words`)
with their expected phones from the shared lexicon; the model only marks some of them. A word the
model names that is not in the sentence (or names twice) is dropped and counted, never added.
Word timings and phone scores stay null: these models do not measure them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from inference_daemon.backends.alm.answers import ParsedAnswer, ReportedWord
from inference_daemon.backends.alm.prompt import AnswerFormat, parse_answer
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.errors import InvalidModelOutput
from inference_daemon.feedback import ErrorType, FeedbackDocument, PhoneError, WordFeedback, WordStatus
from inference_daemon.pronunciation import target_words
from inference_daemon.sentence import split_words
from inference_daemon.sequence_alignment import align_sequences

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltDocument:
    document: FeedbackDocument
    dropped_words: tuple[str, ...]
    """Words the model named that are not (or no longer) in the sentence."""


def _key(word: str) -> str:
    return " ".join(split_words(word)).casefold()


def phone_errors(expected: list[str], heard: list[str]) -> list[PhoneError]:
    """The substitutions, deletions and insertions of a minimum-edit alignment of heard to expected phones."""
    errors: list[PhoneError] = []
    position = 0
    for i, j in align_sequences(expected, heard, lambda a, b: float(a != b)):
        if i is not None and j is not None:
            if expected[i] != heard[j]:
                errors.append(PhoneError(type=ErrorType.substitution, expected=expected[i], heard=heard[j],
                                         position=i))
        elif i is not None:
            errors.append(PhoneError(type=ErrorType.deletion, expected=expected[i], position=i))
        elif j is not None:
            errors.append(PhoneError(type=ErrorType.insertion, heard=heard[j], position=position))
        if i is not None:
            position = i + 1
    return errors


def _word_feedback(index: int, text: str, expected: list[str], reported: ReportedWord | None) -> WordFeedback:
    if reported is None:
        return WordFeedback(index=index, text=text, score=100.0, status=WordStatus.ok, expected_phones=expected)
    heard = list(reported.heard_phones) if reported.heard_phones is not None else None
    return WordFeedback(
        index=index, text=text,
        # The text format gives verdicts only: a named word scores 0.
        score=reported.score if reported.score is not None else 0.0,
        status=WordStatus(reported.status),
        expected_phones=expected,
        heard_phones=heard,
        errors=phone_errors(expected, heard) if heard is not None and reported.status == "mispronounced" else [],
        explanation=reported.explanation,
        suggestion=reported.suggestion,
    )


def _summary(words: list[WordFeedback]) -> str:
    problems = [w.text for w in words if w.status is not WordStatus.ok]
    if not problems:
        return "Every word was pronounced well."
    return "Work on: " + ", ".join(problems) + "."


def build_document(answer: ParsedAnswer, sentence: str, *, backend: str, model: str, request_id: str,
                   duration_s: float) -> BuiltDocument:
    """The feedback document for ``sentence`` as the model judged it.

    Scores: the JSON format's own; in the text format, the overall score is the share of words read
    well and a named word scores 0.
    """
    targets = target_words(sentence)
    free_positions: dict[str, list[int]] = {}
    for target in targets:
        free_positions.setdefault(_key(target.text), []).append(target.index)
    reported_at: dict[int, ReportedWord] = {}
    dropped: list[str] = []
    for reported in answer.words:
        positions = free_positions.get(_key(reported.text))
        if positions:
            reported_at[positions.pop(0)] = reported
        else:
            dropped.append(reported.text)
    words = [_word_feedback(t.index, t.text, t.phones, reported_at.get(t.index)) for t in targets]
    share_ok = 100.0 * sum(w.status is WordStatus.ok for w in words) / len(words)
    document = FeedbackDocument(
        request_id=request_id, text=sentence, backend=backend, model=model, duration_s=duration_s,
        processing_s=0.0,
        score=answer.score if answer.score is not None else round(share_ok, 1),
        words=words,
        summary=answer.summary or _summary(words),
        suggestions=[f"{w.text}: {w.suggestion}" for w in words if w.suggestion],
    )
    return BuiltDocument(document=document, dropped_words=tuple(dropped))


def document_from_output(raw: str, *, finished: bool, answer_format: AnswerFormat, request: AssessmentRequest,
                         backend: str, model: str) -> BuiltDocument:
    """Validate a model's raw answer and build the document; invalid or cut-off answers raise a 502.

    The raw text of every rejected answer is logged, so that a bad prompt or checkpoint can be seen.
    """
    try:
        if not finished:
            raise InvalidModelOutput(
                "The model's answer was cut off before it ended (raise --max-new-tokens if this repeats)."
            )
        answer = parse_answer(raw, answer_format)
    except InvalidModelOutput as exc:
        log.warning("invalid model output for request %s (%s): %r", request.request_id, exc.message, raw)
        raise
    built = build_document(answer, request.text, backend=backend, model=model, request_id=request.request_id,
                           duration_s=request.duration_s)
    if built.dropped_words:
        log.warning("request %s: dropped %d word(s) that are not in the sentence: %s", request.request_id,
                    len(built.dropped_words), ", ".join(built.dropped_words))
    return built
