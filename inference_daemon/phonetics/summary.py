"""Write the feedback document's summary and its few most useful tips from the per-word verdicts.

Every backend ends with the same question: what, of everything found, should the learner hear
first? Tips are ranked by how many words their pattern affects, so a habit that spoils four words
comes before a slip in one; skipped words and, where the learner's first language explains a
habit, one note about it compete for the same three places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from inference_daemon.feedback import WordFeedback, WordStatus
from inference_daemon.phonetics.advice import (
    Advice,
    advise_error,
    english_list,
    rank_advice,
    with_minimal_pair,
)
from inference_daemon.phonetics.knowledge import KnowledgeBase, load_knowledge_base

MAX_SUGGESTIONS = 3
# A reading with every word clear but a score below this still gets one general tip.
POLISH_BELOW_SCORE = 80.0
# How many words a sentence names before saying "and N more".
_MAX_NAMED_WORDS = 3


@dataclass
class _Tip:
    """One suggestion and the words it concerns, for ranking."""

    text: str
    word_indexes: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    l1_note: str | None = None

    def add_word(self, word: WordFeedback) -> None:
        if word.index not in self.word_indexes:
            self.word_indexes.append(word.index)
            self.words.append(word.text)

    @property
    def rank(self) -> tuple[int, int]:
        return -len(self.word_indexes), min(self.word_indexes)


def summarize(words: list[WordFeedback], score: float, native_language: str | None = None) -> tuple[str, list[str]]:
    """(summary in one or two sentences, at most three tips with the most useful first)."""
    knowledge = load_knowledge_base()
    texts = knowledge.texts
    if not words:
        return texts["nothing_to_assess"], []
    missing = [word for word in words if word.status is WordStatus.missing]
    troubled = [word for word in words if word.status is WordStatus.mispronounced]
    if len(missing) == len(words):
        return texts["all_missing"], [texts["all_missing_tip"]]
    if not missing and not troubled:
        return texts["all_clear"], [] if score >= POLISH_BELOW_SCORE else [texts["polish_tip"]]
    clear = len(words) - len(missing) - len(troubled)
    opening = _opening(knowledge, score).format(clear=clear, total=len(words), were="was" if clear == 1 else "were")
    summary = f"{opening} {_what_to_work_on(knowledge, troubled, missing)}"
    return summary, _suggestions(knowledge, troubled, missing, native_language)


def _opening(knowledge: KnowledgeBase, score: float) -> str:
    return next(text for threshold, text in knowledge.score_openings if score >= threshold)


def _what_to_work_on(knowledge: KnowledgeBase, troubled: list[WordFeedback], missing: list[WordFeedback]) -> str:
    texts = knowledge.texts
    if troubled and missing:
        return texts["work_on_and_skipped"].format(words=_quoted(troubled), skipped=_quoted(missing))
    if troubled:
        return texts["work_on"].format(words=_quoted(troubled))
    return texts["skipped"].format(words=_quoted(missing))


def _suggestions(
    knowledge: KnowledgeBase,
    troubled: list[WordFeedback],
    missing: list[WordFeedback],
    native_language: str | None,
) -> list[str]:
    tips = _pattern_tips(knowledge, troubled, native_language)
    unexplained = [word for word in troubled if not word.errors]
    if unexplained:
        tips.append(_tip_for(knowledge.texts["unclear_tip"].format(words=_quoted(unexplained)), unexplained))
    if missing:
        tips.append(_tip_for(knowledge.texts["skipped_tip"].format(words=_quoted(missing)), missing))
    tips.sort(key=lambda tip: tip.rank)
    return _with_native_language_note(tips)


def _pattern_tips(knowledge: KnowledgeBase, troubled: list[WordFeedback], native_language: str | None) -> list[_Tip]:
    """One tip per distinct piece of advice, naming the words it applies to."""
    groups: dict[tuple[str, str], tuple[Advice, _Tip]] = {}
    for word in troubled:
        advice = [advise_error(error, word.text, word.expected_phones, native_language) for error in word.errors]
        for item in rank_advice(advice):
            key = (item.pattern, item.suggestion)
            if key not in groups:
                groups[key] = (item, _Tip(text=item.suggestion, l1_note=item.l1_note))
            groups[key][1].add_word(word)
    for item, tip in groups.values():
        tip.text = knowledge.texts["tip_for_words"].format(
            words=_quoted_texts(tip.words), tip=_lower_first(with_minimal_pair(item.suggestion, item.minimal_pair))
        )
    return [tip for _, tip in groups.values()]


def _with_native_language_note(ranked: list[_Tip]) -> list[str]:
    """The top tips, with the first-language note of the highest-ranked habit right after it."""
    ranked_texts = [tip.text for tip in ranked]
    for position, tip in enumerate(ranked):
        if tip.l1_note is not None:
            with_note = [*ranked_texts[: position + 1], tip.l1_note, *ranked_texts[position + 1 :]]
            if position + 1 < MAX_SUGGESTIONS:
                return with_note[:MAX_SUGGESTIONS]
            return [*ranked_texts[: MAX_SUGGESTIONS - 2], tip.text, tip.l1_note]
    return ranked_texts[:MAX_SUGGESTIONS]


def _tip_for(text: str, words: Sequence[WordFeedback]) -> _Tip:
    tip = _Tip(text=text)
    for word in words:
        tip.add_word(word)
    return tip


def _quoted(words: Sequence[WordFeedback]) -> str:
    return _quoted_texts([word.text for word in words])


def _quoted_texts(texts: Sequence[str]) -> str:
    named = [f"'{text}'" for text in texts[:_MAX_NAMED_WORDS]]
    if len(texts) > _MAX_NAMED_WORDS:
        named.append(f"{len(texts) - _MAX_NAMED_WORDS} more")
    return english_list(named)


def _lower_first(text: str) -> str:
    """'Rest your tongue' -> 'rest your tongue', for use after 'In 'think', '; acronyms stay."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
