"""What the annotators say about each word of the target sentence, in the sentence's own words.

Annotated words come from a corpus (L2-ARCTIC's ``words`` tier, speechocean762's scores, a release
record) and may be spelt or split differently from the sentence ("Author" / "author", a number
written out). The feedback document follows :func:`inference_daemon.sentence.split_words`, so
training targets and evaluation both need every annotated word placed at its sentence position;
this module does that once, by aligning case-folded word keys.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from inference_daemon.datasets.records import AnnotatedUtterance, AnnotatedWord
from inference_daemon.sentence import split_words

_NOT_WORD_CHARACTER = re.compile(r"[^\w']+")


def word_key(word: str) -> str:
    """How two spellings of a word are compared: case-folded, letters, digits and apostrophes only."""
    return _NOT_WORD_CHARACTER.sub("", word.casefold())


@dataclass(frozen=True)
class ReferenceWord:
    """One word of the sentence with its annotation (``None`` when the corpus did not annotate it)."""

    index: int
    text: str  # exactly ``split_words(sentence)[index]``
    annotation: AnnotatedWord | None

    @property
    def mispronounced(self) -> bool:
        return self.annotation is not None and self.annotation.mispronounced


@dataclass(frozen=True)
class Reference:
    """An utterance's annotation laid over its sentence."""

    words: tuple[ReferenceWord, ...]
    unplaced: tuple[AnnotatedWord, ...]
    """Annotated words that match no word of the sentence (their errors cannot be scored)."""

    @property
    def mispronounced_indexes(self) -> frozenset[int]:
        return frozenset(w.index for w in self.words if w.mispronounced)


def reference_for(utterance: AnnotatedUtterance) -> Reference:
    """Place the utterance's annotated words on the words of its sentence, in order."""
    sentence_words = split_words(utterance.text)
    annotated = utterance.words
    matcher = difflib.SequenceMatcher(
        a=[word_key(w) for w in sentence_words], b=[word_key(w.text) for w in annotated], autojunk=False
    )
    placed: dict[int, AnnotatedWord] = {}
    used: set[int] = set()
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            placed[block.a + offset] = annotated[block.b + offset]
            used.add(block.b + offset)
    words = tuple(ReferenceWord(i, text, placed.get(i)) for i, text in enumerate(sentence_words))
    unplaced = tuple(w for i, w in enumerate(annotated) if i not in used)
    return Reference(words=words, unplaced=unplaced)
