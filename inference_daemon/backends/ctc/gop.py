"""Goodness of pronunciation suited to CTC's peaky posteriors: how much likelier the expected phone is than any other.

Frame-averaged posteriors, the classic GOP, fail on CTC models, whose phones fire on one frame
among blanks. Instead each phone is judged by whole-sequence likelihoods, restricted to a window
around its word: the CTC likelihood of the expected phones against the same phones with that one
replaced by another phone, or left out. The log posterior of the expected phone among those
hypotheses is its GOP (0 when nothing competes, very negative when another phone explains the audio
better); the winning alternative is what was heard. Leaving the whole word out tells a skipped word.

A *unit* is the list of states one phone occupies (usually one; two when a model spells a diphthong
as two tokens); states are sets of token ids, as in :mod:`.forced_align`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from inference_daemon.backends.ctc.forced_align import TokenClass, class_log_probs, minimum_frames

Unit = tuple[TokenClass, ...]


@dataclass(frozen=True)
class PhoneGop:
    """The verdict of the hypotheses on one expected phone.

    ``gop`` is the log posterior of the expected phone among all hypotheses (at most 0);
    ``competitor`` the best other hypothesis (an ARPAbet phone, or ``None`` for a deletion) and
    ``margin`` its log-likelihood minus the expected one's (positive: it explains the audio better).
    """

    gop: float
    competitor: str | None
    margin: float


@dataclass(frozen=True)
class WordGop:
    """The phones' verdicts and how much likelier the window is without the word at all (log ratio)."""

    phones: list[PhoneGop]
    deletion_margin: float


def ctc_log_likelihoods(log_probs: np.ndarray, hypotheses: Sequence[Sequence[TokenClass]],
                        blank: TokenClass) -> np.ndarray:
    """log P(hypothesis | frames) under CTC, for every hypothesis at once (the forward algorithm).

    ``log_probs`` has shape (frames, tokens); each hypothesis is a sequence of states. A hypothesis
    that needs more frames than there are gets ``-inf``. The recursion runs on probabilities
    rescaled every frame (the scales are summed in the log domain), which is exact and much faster
    than ``logaddexp`` at every step.
    """
    classes: dict[TokenClass, int] = {blank: 0}
    for hypothesis in hypotheses:
        for state in hypothesis:
            classes.setdefault(state, len(classes))
    # Per frame, probabilities relative to the likeliest class, floored so that no path underflows
    # to exactly zero; the frames' maxima are added back at the end.
    emission_logs = class_log_probs(log_probs, list(classes))
    frame_peaks = emission_logs.max(axis=1)
    probabilities = np.exp(np.maximum(emission_logs - frame_peaks[:, None], _RELATIVE_LOG_FLOOR))
    width = 2 * max((len(h) for h in hypotheses), default=0) + 1
    columns = np.zeros((len(hypotheses), width), dtype=np.int64)
    valid = np.zeros((len(hypotheses), width), dtype=bool)
    can_skip = np.zeros((len(hypotheses), width), dtype=bool)
    for row, hypothesis in enumerate(hypotheses):
        ids = [classes[state] for state in hypothesis]
        columns[row, 1 : 2 * len(ids) : 2] = ids
        valid[row, : 2 * len(ids) + 1] = True
        for index in range(1, len(ids)):
            can_skip[row, 2 * index + 1] = ids[index] != ids[index - 1]
    emissions = probabilities[:, columns] * valid  # (frames, hypotheses, states)
    skip_allowed = can_skip[:, 2:]

    alpha = np.zeros(columns.shape)
    alpha[:, :2] = emissions[0, :, :2]
    alpha, log_scale = _rescaled(alpha, np.zeros(len(hypotheses)))
    for frame in range(1, emissions.shape[0]):
        moved = alpha.copy()
        moved[:, 1:] += alpha[:, :-1]
        moved[:, 2:] += np.where(skip_allowed, alpha[:, :-2], 0.0)
        alpha, log_scale = _rescaled(moved * emissions[frame], log_scale)

    last = np.array([2 * len(h) for h in hypotheses], dtype=np.int64)
    rows = np.arange(len(hypotheses))
    final = alpha[rows, last] + np.where(last > 0, alpha[rows, np.maximum(last - 1, 0)], 0.0)
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(final) + log_scale + frame_peaks.sum(), dtype=np.float64)


# exp() of this is still a normal float64, and a product of it with a rescaled alpha stays above zero.
_RELATIVE_LOG_FLOOR = -600.0


def _rescaled(alpha: np.ndarray, log_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Divide each row by its sum, adding the log of the sum to ``log_scale`` (-inf for a dead row)."""
    total = alpha.sum(axis=1)
    alive = total > 0
    with np.errstate(divide="ignore"):
        log_total = np.log(total)
    return alpha / np.where(alive, total, 1.0)[:, None], log_scale + log_total


@dataclass(frozen=True)
class Window:
    """What every hypothesis over a window shares besides the word itself.

    ``before`` and ``after``: the states of the phones on either side (context, never
    substituted); ``inserted_before`` and ``inserted_after``: phones heard inserted between those
    and the word; ``insertions``: phones heard inserted into the word, as (position, unit), heard
    before expected phone ``position``.
    """

    before: tuple[TokenClass, ...] = ()
    after: tuple[TokenClass, ...] = ()
    inserted_before: tuple[TokenClass, ...] = ()
    inserted_after: tuple[TokenClass, ...] = ()
    insertions: tuple[tuple[int, Unit], ...] = ()

    def states(self, word_units: Sequence[Unit | None]) -> list[TokenClass]:
        """The states of one hypothesis, given the word's units (``None``: a deleted phone)."""
        middle: list[TokenClass] = []
        for position in range(len(word_units) + 1):
            for at, inserted in self.insertions:
                if at == position:
                    middle.extend(inserted)
            unit = word_units[position] if position < len(word_units) else None
            if unit is not None:
                middle.extend(unit)
        return [*self.before, *self.inserted_before, *middle, *self.inserted_after, *self.after]

    def without_insertions(self) -> Window:
        return Window(self.before, self.after)


def word_gop(log_probs: np.ndarray, word: Sequence[str], units: Mapping[str, Unit], blank: TokenClass,
             window: Window | None = None) -> WordGop:
    """GOP of each phone of ``word`` over a window of frames (``log_probs``) that holds the word.

    Every phone of ``word`` must be in ``units``; every phone of ``units`` is a possible
    substitute. Phones heard inserted (``window``) are kept in every hypothesis, so that an
    inserted vowel is explained by itself, not by shifting the expected phones; they are left out
    when the window has too few frames to hold them.

    Two passes: the first judges each phone with the others as expected; when some phones lose to
    a competitor, the second judges each phone again with the others as they were heard, so that
    one clear error does not drag down the phones around it.
    """
    window = window or Window()
    expected: list[Unit | None] = [units[phone] for phone in word]
    if minimum_frames(window.states(expected)) > len(log_probs):
        window = window.without_insertions()
    verdicts = _judge(log_probs, word, units, blank, window, background=expected)
    heard = [_heard_unit(verdict, unit, units) for verdict, unit in zip(verdicts, expected, strict=True)]
    if heard != expected:
        verdicts = _judge(log_probs, word, units, blank, window, background=heard)
    without_word, canonical = ctc_log_likelihoods(
        log_probs, [window.states([None] * len(word)), window.states(expected)], blank
    )
    return WordGop(phones=verdicts, deletion_margin=_finite(without_word - canonical))


def _heard_unit(verdict: PhoneGop, expected: Unit | None, units: Mapping[str, Unit]) -> Unit | None:
    if verdict.margin <= 0:
        return expected
    return None if verdict.competitor is None else units[verdict.competitor]


def _judge(log_probs: np.ndarray, word: Sequence[str], units: Mapping[str, Unit], blank: TokenClass,
           window: Window, background: Sequence[Unit | None]) -> list[PhoneGop]:
    """Each phone against its substitutes and its deletion, the other phones taken from ``background``."""
    hypotheses: list[list[TokenClass]] = []
    labels: list[list[str | None]] = []
    for position, phone in enumerate(word):
        own = units[phone]
        own_tokens = frozenset().union(*own)

        def with_phone(unit: Unit | None, position: int = position) -> list[TokenClass]:
            return window.states([*background[:position], unit, *background[position + 1 :]])

        alternatives: list[str | None] = [None]
        hypotheses += [with_phone(own), with_phone(None)]
        for other, unit in units.items():
            substitute = tuple(state - own_tokens for state in unit)
            if other != phone and all(substitute):
                alternatives.append(other)
                hypotheses.append(with_phone(substitute))
        labels.append(alternatives)

    likelihoods = ctc_log_likelihoods(log_probs, hypotheses, blank)
    verdicts = []
    offset = 0
    for alternatives in labels:
        canonical = likelihoods[offset]
        competing = likelihoods[offset + 1 : offset + 1 + len(alternatives)]
        offset += 1 + len(alternatives)
        best = int(np.argmax(competing))
        everything = np.logaddexp(canonical, np.logaddexp.reduce(competing))
        gop = _finite(canonical - everything) if np.isfinite(canonical) else -_LOG_RATIO_LIMIT
        with np.errstate(invalid="ignore"):  # both impossible (-inf): no margin, which _finite reads as 0
            margin = _finite(competing[best] - canonical)
        verdicts.append(PhoneGop(gop=gop, competitor=alternatives[best], margin=margin))
    return verdicts


# Log-likelihood differences are capped here so that impossible hypotheses give finite evidence.
_LOG_RATIO_LIMIT = 1e4


def _finite(value: float) -> float:
    if np.isnan(value):
        return 0.0
    return float(np.clip(value, -_LOG_RATIO_LIMIT, _LOG_RATIO_LIMIT))
