"""Per-word Whisper evidence for a target sentence: how well each word fits, and how much better a
frequent learner error of it would fit.

Two measures per word, both from one encoder pass and one batched decoder pass:

* the log-probabilities of the word's tokens when the decoder reads the target sentence
  (teacher forcing): low when the audio does not sound like the word, but also low for rare words
  and names whatever was said (Whisper's language model);
* per competitor (the knowledge base's confusions of the word, spelled by :mod:`.spelling`), the
  difference ``delta`` between the log-probability of the sentence read with the competitor in the
  word's place and with the word itself, over the tokens from the word to the end of the next word
  (the tokens before it are the same in both, so they cancel). Positive: Whisper finds the
  competitor more likely than the word. Being relative, it cancels part of the language model's
  bias towards the words the learner was meant to say.

The target sentence scored on silence gives each word's prior (``prior_log_probs``): how likely
the language model finds the word with no audio to go on. As a feature of the fitted scorer beside
the word's own score it is worth +0.024 word r on speechocean762 (subtracting it is worse); the
same prior for each competitor (``delta`` minus its value on silence) added nothing and cost a
quarter of the time, so it is not computed (docs/phonetic.md has the figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from inference_daemon.pronunciation import TargetWord
from inference_daemon.whisper_evidence.model import EncodedRecording, WhisperModel
from inference_daemon.whisper_evidence.spelling import competitor_spelling, is_real_word

# Words after a competitor that it is scored with: they carry the sentence's grammar ("I sink so").
CONTEXT_WORDS_AFTER = 1
# Competitors scored per word: each costs a decoder pass over the sentence up to it, so the
# real-word ones (minimal pairs Whisper knows how they sound) come first, then the knowledge
# base's order.
MAX_RIVALS_PER_WORD = 4


class Competitor(Protocol):
    """A wrong pronunciation of a word (the ``phonetic`` backend's competition builds them): its
    phones and the position of the expected phone it changes."""

    @property
    def phones(self) -> tuple[str, ...]: ...

    @property
    def position(self) -> int: ...


@dataclass(frozen=True)
class RivalScore:
    """One competitor of a word, as Whisper read it."""

    competitor: Competitor
    spelling: str
    delta: float


@dataclass(frozen=True)
class WordEvidence:
    """Whisper's view of one word of the target sentence."""

    log_probs: tuple[float, ...]
    prior_log_probs: tuple[float, ...]
    rivals: tuple[RivalScore, ...]

    @property
    def prior_mean_log_prob(self) -> float:
        return float(np.mean(self.prior_log_probs))

    @property
    def mean_log_prob(self) -> float:
        return float(np.mean(self.log_probs))

    @property
    def min_log_prob(self) -> float:
        return float(np.min(self.log_probs))

    @property
    def best_rival(self) -> RivalScore | None:
        return max(self.rivals, key=lambda r: r.delta, default=None)


def whisper_words(words: Sequence[TargetWord]) -> list[str]:
    """The words as Whisper writes them: spoken tokens ("3" is "three"), lower case, the sentence's
    first word and "I" capitalised, no punctuation."""
    texts = []
    for position, word in enumerate(words):
        text = " ".join("I" if token == "i" else token for token in word.tokens)
        texts.append(text[:1].upper() + text[1:] if position == 0 else text)
    return texts


def spelled_rivals(
    word: TargetWord, pronunciation: Sequence[str], competitors: Sequence[Competitor]
) -> list[tuple[Competitor, str]]:
    """The competitors Whisper scores for ``word`` and their spellings: at most
    :data:`MAX_RIVALS_PER_WORD`, real words first, one per spelling. Words of several spoken
    tokens ("3rd", "don't" split by the lexicon) get none: their letters do not line up with one
    pronunciation."""
    if len(word.tokens) != 1:
        return []
    real: list[tuple[Competitor, str]] = []
    made_up: list[tuple[Competitor, str]] = []
    seen: set[str] = set()
    for competitor in competitors:
        spelling = competitor_spelling(word.tokens[0], tuple(pronunciation), competitor.phones, competitor.position)
        if spelling is None or spelling in seen:
            continue
        seen.add(spelling)
        (real if is_real_word(spelling) else made_up).append((competitor, spelling))
    return [*real, *made_up][:MAX_RIVALS_PER_WORD]


def gather_evidence(
    model: WhisperModel,
    recording: EncodedRecording,
    words: Sequence[TargetWord],
    pronunciations: Sequence[Sequence[str]],
    competitor_lists: Sequence[Sequence[Competitor]],
) -> list[WordEvidence]:
    """Evidence for every word of the sentence; ``pronunciations[i]`` is the pronunciation the
    competitors of word ``i`` change (its primary one)."""
    texts = whisper_words(words)
    word_tokens = [model.token_ids(" " + text) for text in texts]
    bounds = np.cumsum([0, *(len(tokens) for tokens in word_tokens)])
    target = [token for tokens in word_tokens for token in tokens]
    rival_texts: list[list[int]] = []
    # Per rival text: its word, competitor and spelling, and the target tokens it replaces and is
    # compared over (from the word to the end of the context after it).
    owners: list[tuple[int, Competitor, str, int, int]] = []
    for index, (word, competitors) in enumerate(zip(words, competitor_lists, strict=True)):
        start, context_end = int(bounds[index]), int(bounds[min(index + 1 + CONTEXT_WORDS_AFTER, len(words))])
        for competitor, spelling in spelled_rivals(word, pronunciations[index], competitors):
            written = spelling[:1].upper() + spelling[1:] if index == 0 else spelling
            after = target[bounds[index + 1] : context_end]
            rival_texts.append(target[:start] + model.token_ids(" " + written) + after)
            owners.append((index, competitor, spelling, start, context_end))
    heard = model.token_log_probs(recording, [target, *rival_texts])
    prior = model.prior_log_probs([target])[0]
    rivals: list[list[RivalScore]] = [[] for _ in words]
    for (index, competitor, spelling, start, end), log_probs in zip(owners, heard[1:], strict=True):
        delta = float(np.sum(log_probs[start:]) - np.sum(heard[0][start:end]))
        rivals[index].append(RivalScore(competitor, spelling, delta))
    return [
        WordEvidence(
            tuple(float(x) for x in heard[0][bounds[i] : bounds[i + 1]]),
            tuple(float(x) for x in prior[bounds[i] : bounds[i + 1]]),
            tuple(rivals[i]),
        )
        for i in range(len(words))
    ]
