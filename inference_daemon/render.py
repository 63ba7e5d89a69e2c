"""Readable terminal feedback for the ``assess`` command: the sentence with marked words, then tips."""

from __future__ import annotations

from inference_daemon.feedback import ErrorType, FeedbackDocument, WordFeedback, WordStatus
from inference_daemon.phonetics.syllables import ordinal
from inference_daemon.pronunciation.stress import vowel_positions

_RESET = "\033[0m"
_STYLE = {WordStatus.ok: "\033[32m", WordStatus.mispronounced: "\033[1;31;4m", WordStatus.missing: "\033[2;33m"}
_MARK = {WordStatus.ok: "{}", WordStatus.mispronounced: "*{}*", WordStatus.missing: "[{}]"}


def _sentence_scores(document: FeedbackDocument) -> list[str]:
    """One line with the sentence-level scores the backend gave (none when it gave none)."""
    scores = [(label, value) for label, value in (("Fluency", document.fluency), ("Prosody", document.prosody),
                                                  ("Completeness", document.completeness)) if value is not None]
    return ["   ".join(f"{label}: {value:.0f}" for label, value in scores)] if scores else []


def _stress_note(word: WordFeedback) -> str | None:
    """"stress on the first syllable, not the second" for a word with a stress error, else ``None``."""
    error = next((e for e in word.errors if e.type is ErrorType.stress), None)
    if error is None:
        return None
    nuclei = vowel_positions(word.expected_phones)
    if error.position not in nuclei or error.stressed_position not in nuclei:
        return "stress on the wrong syllable"
    return (f"stress on the {ordinal(nuclei.index(error.stressed_position))} syllable, "
            f"not the {ordinal(nuclei.index(error.position))}")


def _word_line(word: WordFeedback) -> str:
    """What was expected and heard; a word whose only error is its stress says that instead of phones."""
    stress = _stress_note(word)
    line = f"- {word.text} ({word.status.value}): "
    if stress is not None and all(e.type is ErrorType.stress for e in word.errors):
        return line + stress
    if word.status is WordStatus.missing:
        return line + f"expected /{' '.join(word.expected_phones)}/, not heard"
    heard = " ".join(word.heard_phones) if word.heard_phones else "?"
    line += f"expected /{' '.join(word.expected_phones)}/, heard /{heard}/"
    return line + (f"; {stress}" if stress is not None else "")


def render_feedback(document: FeedbackDocument, colour: bool = False) -> str:
    """Plain text (or ANSI-coloured) feedback; without colour, *word* is mispronounced and [word] missing."""
    def paint(text: str, status: WordStatus) -> str:
        return f"{_STYLE[status]}{text}{_RESET}" if colour else _MARK[status].format(text)

    lines = [
        " ".join(paint(word.text, word.status) for word in document.words),
        f"Score: {document.score:.0f}/100   ({document.backend}, {document.processing_s:.2f} s)",
        *_sentence_scores(document),
        "",
    ]
    lines.extend(f"! {warning}" for warning in document.warnings)
    for word in document.mispronounced_words:
        lines.append(_word_line(word))
        if word.explanation:
            lines.append(f"    why: {word.explanation}")
        if word.suggestion:
            lines.append(f"    try: {word.suggestion}")
    lines.append("")
    lines.append(document.summary)
    lines.extend(f"  {number}. {tip}" for number, tip in enumerate(document.suggestions, 1))
    return "\n".join(lines).rstrip() + "\n"
