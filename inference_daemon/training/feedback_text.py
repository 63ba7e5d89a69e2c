"""Issue and suggestion for each mispronounced word of a dataset, from the phonetics knowledge base.

The deterministic text is what the ``phonetic`` backend tells learners about the same errors, so
every record has feedback without any model; an optional rewriter (see
:mod:`inference_daemon.training.llm_rewrite`) may turn it into more varied wording, and falls back
to it whenever it cannot.
"""

from __future__ import annotations

from typing import Protocol

from inference_daemon.datasets.records import AnnotatedUtterance, AnnotatedWord
from inference_daemon.phonetics import advise_word


class FeedbackRewriter(Protocol):
    """Turns the knowledge base's text for one word into other wording (or returns it unchanged)."""

    def rewrite(self, word: AnnotatedWord, native_language: str | None, draft: dict[str, str]) -> dict[str, str]: ...


def knowledge_base_feedback(word: AnnotatedWord, native_language: str | None) -> dict[str, str]:
    """``{"issue", "suggestion"}`` for a mispronounced word, as the knowledge base words it."""
    explanation, suggestion = advise_word(word.text, word.canonical_phones, word.errors(), native_language)
    return {"issue": explanation or "", "suggestion": suggestion or ""}


def add_feedback(utterance: AnnotatedUtterance, native_language: str | None,
                 rewriter: FeedbackRewriter | None = None) -> int:
    """Give every mispronounced word without feedback an issue and a suggestion; returns how many got one.

    Words that already carry feedback (a release's own ``mis_exp_sug``) keep it.
    """
    added = 0
    for word in utterance.mispronounced_words:
        if word.feedback:
            continue
        draft = knowledge_base_feedback(word, native_language)
        word.feedback = [rewriter.rewrite(word, native_language, draft) if rewriter else draft]
        added += 1
    return added
