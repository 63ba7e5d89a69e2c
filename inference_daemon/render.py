"""Readable terminal feedback for the ``assess`` command: the sentence with marked words, then tips."""

from __future__ import annotations

from inference_daemon.feedback import FeedbackDocument, WordStatus

_RESET = "\033[0m"
_STYLE = {WordStatus.ok: "\033[32m", WordStatus.mispronounced: "\033[1;31;4m", WordStatus.missing: "\033[2;33m"}
_MARK = {WordStatus.ok: "{}", WordStatus.mispronounced: "*{}*", WordStatus.missing: "[{}]"}


def _sentence_scores(document: FeedbackDocument) -> list[str]:
    """One line with the sentence-level scores the backend gave (none when it gave none)."""
    scores = [(label, value) for label, value in (("Fluency", document.fluency), ("Prosody", document.prosody),
                                                  ("Completeness", document.completeness)) if value is not None]
    return ["   ".join(f"{label}: {value:.0f}" for label, value in scores)] if scores else []


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
        heard = " ".join(word.heard_phones) if word.heard_phones else "?"
        lines.append(
            f"- {word.text} ({word.status.value}): expected /{' '.join(word.expected_phones)}/, heard /{heard}/"
        )
        if word.explanation:
            lines.append(f"    why: {word.explanation}")
        if word.suggestion:
            lines.append(f"    try: {word.suggestion}")
    lines.append("")
    lines.append(document.summary)
    lines.extend(f"  {number}. {tip}" for number, tip in enumerate(document.suggestions, 1))
    return "\n".join(lines).rstrip() + "\n"
