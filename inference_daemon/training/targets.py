"""The answer a tuned model should give for an annotated utterance, in both answer formats of the prompt module.

The text format is the paper's (``word: <w> issue: <...> suggestion: <...>`` lines or ``No
Problem``); the JSON format is the model's part of the feedback document. Both are rendered by
the ``alm`` backend's own functions, so a target is byte-for-byte what serving parses.

Scores in the JSON target, which the corpora do not give, are derived from the annotation: a
word's score is the share of its annotated phones (additions included) read correctly, the
overall score the same share over the sentence; a word whose every phone was deleted is
``missing``. Heard phones are the annotated perceived phones that are ARPAbet (an unclear
``err`` phone is left out). Texts longer than the JSON format allows are cut at a sentence end; in
the text format, the format's own markers inside a text ("the word: ...") are defused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from inference_daemon.backends.alm.answers import (
    MAX_NOTE_CHARS,
    MAX_SUMMARY_CHARS,
    JsonAnswer,
    JsonWord,
    ParsedAnswer,
    ReportedWord,
    render_json_answer,
    render_text_answer,
)
from inference_daemon.backends.alm.prompt import AnswerFormat
from inference_daemon.datasets.records import AnnotatedUtterance, AnnotatedWord, PhoneKind
from inference_daemon.evaluation.reference import ReferenceWord, reference_for
from inference_daemon.feedback import WordFeedback, WordStatus
from inference_daemon.phonetics import summarize
from inference_daemon.pronunciation import ARPABET_PHONES
from inference_daemon.training.feedback_text import knowledge_base_feedback

_ARPABET = frozenset(ARPABET_PHONES)
# The text format's own field markers; feedback text that contains one would read as a new field.
_TEXT_FORMAT_MARKER = re.compile(r"\b(word|issue|suggestion)\s*:", re.IGNORECASE)


def text_format_safe(text: str) -> str:
    """``text`` with the text format's markers ("word:", ...) defused ("word -"), so the answer parses back."""
    return _TEXT_FORMAT_MARKER.sub(lambda match: f"{match.group(1)} -", text)


def fit_text(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: whole sentences while they fit, else cut at a word with '…'."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in text.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n").splitlines():
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def word_score(word: AnnotatedWord) -> int:
    """Share (0-100) of the word's annotated phones read correctly."""
    if not word.phones:
        return 100
    return round(100 * sum(p.kind is PhoneKind.correct for p in word.phones) / len(word.phones))


def _is_missing(word: AnnotatedWord) -> bool:
    canonical = [p for p in word.phones if p.canonical is not None]
    return bool(canonical) and all(p.kind is PhoneKind.deletion for p in canonical)


def _issue_and_suggestion(word: AnnotatedWord, native_language: str | None) -> tuple[str, str]:
    feedback = word.feedback or [knowledge_base_feedback(word, native_language)]
    issue = " ".join(item.get("issue", "") for item in feedback)
    suggestion = " ".join(item.get("suggestion", "") for item in feedback)
    return " ".join(issue.split()), " ".join(suggestion.split())


def _flagged(words: tuple[ReferenceWord, ...]) -> list[tuple[ReferenceWord, AnnotatedWord]]:
    return [(w, w.annotation) for w in words if w.annotation is not None and w.annotation.mispronounced]


def text_target(utterance: AnnotatedUtterance, native_language: str | None) -> str:
    """The paper's text answer for the utterance."""
    reported = []
    for reference, word in _flagged(reference_for(utterance).words):
        issue, suggestion = _issue_and_suggestion(word, native_language)
        reported.append(ReportedWord(reference.text, "mispronounced", text_format_safe(issue),
                                     text_format_safe(suggestion)))
    return render_text_answer(ParsedAnswer(words=tuple(reported)))


def json_target(utterance: AnnotatedUtterance, native_language: str | None) -> str:
    """The JSON answer (score, problem words, summary) for the utterance."""
    reference = reference_for(utterance)
    annotated = [w.annotation for w in reference.words if w.annotation is not None]
    phones = [p for word in annotated for p in word.phones]
    score = round(100 * sum(p.kind is PhoneKind.correct for p in phones) / len(phones)) if phones else 100
    json_words = []
    document_words = []
    for reference_word in reference.words:
        word = reference_word.annotation
        expected = word.canonical_phones if word is not None else []
        if word is None or not word.mispronounced:
            document_words.append(WordFeedback(index=reference_word.index, text=reference_word.text, score=100,
                                               status=WordStatus.ok, expected_phones=expected))
            continue
        missing = _is_missing(word)
        status = WordStatus.missing if missing else WordStatus.mispronounced
        issue, suggestion = _issue_and_suggestion(word, native_language)
        json_words.append(JsonWord(
            text=reference_word.text, status="missing" if missing else "mispronounced", score=word_score(word),
            heard_phones=[p for p in word.perceived_phones if p in _ARPABET],
            explanation=fit_text(issue, MAX_NOTE_CHARS), suggestion=fit_text(suggestion, MAX_NOTE_CHARS),
        ))
        document_words.append(WordFeedback(index=reference_word.index, text=reference_word.text,
                                           score=word_score(word), status=status, expected_phones=expected,
                                           errors=word.errors()))
    summary, _ = summarize(document_words, score, native_language)
    answer = JsonAnswer(score=score, words=json_words, summary=fit_text(summary, MAX_SUMMARY_CHARS))
    return render_json_answer(answer)


def target(utterance: AnnotatedUtterance, native_language: str | None, answer_format: AnswerFormat) -> str:
    """The answer in ``answer_format``."""
    if answer_format is AnswerFormat.json:
        return json_target(utterance, native_language)
    return text_target(utterance, native_language)


def _full_stop(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


def paper_text_target(mis_exp_sug: Mapping[str, Sequence[Mapping[str, str]]]) -> str:
    """The answer of the paper's fine-tuning data for a release record's ``mis_exp_sug``.

    One line per key, in the record's order, with the word as the release keys it (lower case);
    each non-empty issue and suggestion ends with a full stop and a word's items are joined by
    spaces: ``word: <w> issue: <I1. I2.> suggestion: <S1. S2.>``; ``No Problem`` when empty.
    """
    if not mis_exp_sug:
        return "No Problem"
    lines = []
    for word, items in mis_exp_sug.items():
        issues = [_full_stop(item["issue"]) for item in items if item.get("issue")]
        suggestions = [_full_stop(item["suggestion"]) for item in items if item.get("suggestion")]
        lines.append(f"word: {word} issue: {' '.join(issues)} suggestion: {' '.join(suggestions)}")
    return "\n".join(lines)
