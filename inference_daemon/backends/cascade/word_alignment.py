"""Line up what the recogniser heard with the target sentence: which words were substituted, left out or added.

Both sides are compared as spoken tokens ("$5" is "five dollars" on either side), by a minimum-cost
edit alignment. Two tokens match when they are spelled the same or share a dictionary
pronunciation (a recogniser writing "there" for "their" heard the right sounds); a substitution
costs less the closer the two pronunciations are, so that with several candidates the heard word
lines up with the target word it sounds most like. Tokens are then gathered back into the target's
words: a word is ``ok`` when its tokens matched (or the heard phones equal the expected ones),
``missing`` when nothing was heard for it, else ``mispronounced`` with phone-level errors between
its expected phones and the dictionary phones of what was heard instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from inference_daemon.backends.alm.document import phone_errors
from inference_daemon.feedback import PhoneError, WordStatus
from inference_daemon.pronunciation import TargetWord
from inference_daemon.sequence_alignment import align_sequences

# Substitution cost = base + spread * (phone edit distance / longer pronunciation); below 2, the
# cost of an omission plus an insertion, so a heard word always takes the place of a target word.
_SUBSTITUTION_BASE = 0.6
_SUBSTITUTION_SPREAD = 0.4
_GAP = 1.0


class Step(Enum):
    match = "match"
    substitution = "substitution"
    omission = "omission"
    insertion = "insertion"


@dataclass(frozen=True)
class _Token:
    text: str
    pronunciations: frozenset[tuple[str, ...]]
    primary: tuple[str, ...]
    word: int
    """Index of the word this token belongs to, on its own side."""


@dataclass(frozen=True)
class WordAlignment:
    """One target word and what was heard for it."""

    target: TargetWord
    status: WordStatus
    heard_words: tuple[int, ...]
    """Indices of the transcript words heard in this word's place (in order, without repeats)."""
    heard_tokens: tuple[str, ...]
    heard_phones: tuple[str, ...]
    """Dictionary phones of the heard tokens (the expected ones where a token matched)."""
    errors: tuple[PhoneError, ...]


@dataclass(frozen=True)
class Insertion:
    """Transcript words heard between target words, belonging to none of them."""

    before: int
    """Index of the target word they came before; ``len(words)`` when after the last one."""
    heard_words: tuple[int, ...]
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Alignment:
    words: tuple[WordAlignment, ...]
    insertions: tuple[Insertion, ...]


def align_words(target: list[TargetWord], heard: list[TargetWord]) -> Alignment:
    """Align the heard words (from the transcript) to the target sentence's words."""
    target_tokens = _tokens(target)
    heard_tokens = _tokens(heard)
    steps = _edit_steps(target_tokens, heard_tokens)
    per_word: list[list[tuple[Step, _Token | None, _Token | None]]] = [[] for _ in target]
    insertions: list[Insertion] = []
    pending: list[_Token] = []
    next_target_word = 0
    for step, target_token, heard_token in steps:
        if step is Step.insertion:
            assert heard_token is not None
            pending.append(heard_token)
            continue
        assert target_token is not None
        word = target_token.word
        if pending:
            if word == next_target_word - 1:  # inside a multi-token word: part of what was heard for it
                per_word[word].extend((Step.insertion, None, token) for token in pending)
            else:
                insertions.append(_insertion(word, pending))
            pending = []
        per_word[word].append((step, target_token, heard_token))
        next_target_word = word + 1
    if pending:
        insertions.append(_insertion(len(target), pending))
    words = tuple(_word_alignment(word, word_steps) for word, word_steps in zip(target, per_word, strict=True))
    return Alignment(words=words, insertions=tuple(insertions))


def _tokens(words: list[TargetWord]) -> list[_Token]:
    return [
        _Token(token, frozenset(variants), primary, position)
        for position, word in enumerate(words)
        for token, primary, variants in zip(word.tokens, word.pronunciations, word.variants, strict=True)
    ]


def _same(expected: _Token, heard: _Token) -> bool:
    return expected.text == heard.text or bool(expected.pronunciations & heard.pronunciations)


def _substitution_cost(expected: _Token, heard: _Token) -> float:
    if _same(expected, heard):
        return 0.0
    distance = len(phone_errors(list(expected.primary), list(heard.primary)))
    longer = max(len(expected.primary), len(heard.primary), 1)
    return _SUBSTITUTION_BASE + _SUBSTITUTION_SPREAD * min(distance / longer, 1.0)


def _edit_steps(
    target: list[_Token], heard: list[_Token]
) -> list[tuple[Step, _Token | None, _Token | None]]:
    """The cheapest sequence of steps turning the target tokens into the heard ones, in order.

    Traced back from the end, ties prefer a match or substitution, then an omission: when a
    repeated word is heard once ("the the cat" as "the cat"), the later occurrence is matched and
    the earlier one is the one left out.
    """
    steps: list[tuple[Step, _Token | None, _Token | None]] = []
    for i, j in align_sequences(target, heard, _substitution_cost, _GAP):
        if i is not None and j is not None:
            same = _same(target[i], heard[j])
            steps.append((Step.match if same else Step.substitution, target[i], heard[j]))
        elif i is not None:
            steps.append((Step.omission, target[i], None))
        elif j is not None:
            steps.append((Step.insertion, None, heard[j]))
    return steps


def _insertion(before: int, tokens: list[_Token]) -> Insertion:
    return Insertion(before=before, heard_words=_unique(t.word for t in tokens), tokens=tuple(t.text for t in tokens))


def _unique(indices: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(indices))


def _word_alignment(target: TargetWord, steps: list[tuple[Step, _Token | None, _Token | None]]) -> WordAlignment:
    heard = [heard_token for _, _, heard_token in steps if heard_token is not None]
    heard_phones: list[str] = []
    for step, target_token, heard_token in steps:
        if step is Step.match and target_token is not None:
            heard_phones.extend(target_token.primary)
        elif heard_token is not None:
            heard_phones.extend(heard_token.primary)
    expected = target.phones
    if not heard:
        status, errors = WordStatus.missing, phone_errors(expected, [])
    elif all(step is Step.match for step, _, _ in steps) or heard_phones == expected:
        status, errors = WordStatus.ok, []
    else:
        status, errors = WordStatus.mispronounced, phone_errors(expected, heard_phones)
    return WordAlignment(
        target=target,
        status=status,
        heard_words=_unique(t.word for t in heard),
        heard_tokens=tuple(t.text for t in heard),
        heard_phones=tuple(heard_phones),
        errors=tuple(errors),
    )
