"""Split a target sentence into the words that the feedback document lists, and check it is usable.

One tokeniser for every backend, the add-on's rendering and the tools: the feedback document's
``words`` follow exactly these words, in this order.
"""

from __future__ import annotations

import re
import unicodedata

from inference_daemon.errors import InvalidText

MAX_TEXT_CHARS = 300

# Punctuation that may surround a word but is not part of it ("Hello," "(yes)" "“quoted”").
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>.,;:!?¡¿…—–-*_/\\|`~"
_HAS_ALNUM = re.compile(r"[^\W_]", re.UNICODE)


def split_words(text: str) -> list[str]:
    """The words of the sentence as the learner sees them, without surrounding punctuation.

    Whitespace separates words; a token with no letter or digit (a lone dash, "...") is not a word.
    Inner punctuation stays ("don't", "well-known", "3.5", "$5").
    """
    words = []
    for token in text.split():
        word = token.strip(_EDGE_PUNCTUATION)
        if _HAS_ALNUM.search(word):
            words.append(word)
    return words


def validate_target_text(text: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Return the stripped sentence, or raise :class:`InvalidText` with a reason the user can act on."""
    stripped = text.strip()
    if not stripped:
        raise InvalidText("The target sentence is empty.", code="empty_text")
    if len(stripped) > max_chars:
        raise InvalidText(
            f"The target sentence has {len(stripped)} characters; at most {max_chars} are accepted. "
            "Split it into shorter sentences.",
            code="text_too_long",
        )
    if not split_words(stripped):
        raise InvalidText(
            "The target sentence has no word that can be pronounced.", code="no_pronounceable_word"
        )
    return stripped


def check_latin_script(text: str) -> None:
    """Refuse a sentence with letters outside the Latin script (Chinese, Arabic, Cyrillic...).

    Why: every backend assesses English phones; a Chinese or Arabic sentence would be "assessed"
    against nothing and get a meaningless score. Accented Latin letters (café, Zürich) pass. Kept
    apart from :func:`validate_target_text`, whose rules the add-on's deck import mirrors.
    """
    foreign = dict.fromkeys(c for c in text if c.isalpha() and "LATIN" not in unicodedata.name(c, ""))
    if foreign:
        raise InvalidText(
            f"Pronunciation Coach assesses English sentences; this one has letters of another script "
            f"({''.join(list(foreign)[:10])}). Write the target sentence in English.",
            code="unsupported_language",
        )
