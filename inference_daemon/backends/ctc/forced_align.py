"""Find where each expected phone lies in a CTC model's frame posteriors: the Viterbi path over blanks and phones.

A CTC model emits, per frame, log-probabilities over its tokens, one of which is the blank. The
expected sentence is a sequence of *states*; each state is a set of token ids that all count as
that phone (IPA variants such as ``i`` and ``iː``), so a state's frame score is the log of the
summed probabilities of its tokens. The best path visits every state in order, with optional blanks
between them (compulsory between two equal states, as CTC requires), and gives each state the
frames where it was emitted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TokenClass = frozenset[int]
# Marks a frame of the Viterbi path that emits blank.
BLANK_FRAME = -1


class AlignmentImpossible(ValueError):
    """The recording has fewer frames than the expected phones need."""


@dataclass(frozen=True)
class StateSpan:
    """Frames [first, last] where one state of the sequence was emitted (CTC peaks: often one frame)."""

    first: int
    last: int


def class_log_probs(log_probs: np.ndarray, classes: Sequence[TokenClass]) -> np.ndarray:
    """Per frame, the log of the summed probability of each class's tokens: shape (frames, classes)."""
    columns = [_logsumexp_columns(log_probs, sorted(token_ids)) for token_ids in classes]
    if not columns:
        return np.zeros((log_probs.shape[0], 0))
    return np.stack(columns, axis=1)


def _logsumexp_columns(log_probs: np.ndarray, token_ids: list[int]) -> np.ndarray:
    if not token_ids:
        return np.full(log_probs.shape[0], -np.inf)
    selected = log_probs[:, token_ids].astype(np.float64)
    peak = selected.max(axis=1, keepdims=True)
    finite_peak = np.where(np.isfinite(peak), peak, 0.0)
    summed = np.log(np.exp(selected - finite_peak).sum(axis=1)) + finite_peak[:, 0]
    return np.asarray(summed, dtype=np.float64)


def minimum_frames(states: Sequence[TokenClass]) -> int:
    """Frames a CTC path needs for these states: one each, plus a blank between equal neighbours."""
    repeats = sum(1 for before, after in itertools.pairwise(states) if before == after)
    return len(states) + repeats


def viterbi_path(log_probs: np.ndarray, states: Sequence[TokenClass], blank: TokenClass) -> np.ndarray:
    """The most likely CTC path: for each frame, the index of the state it emits, or :data:`BLANK_FRAME`.

    ``log_probs`` has shape (frames, tokens). Raises :class:`AlignmentImpossible` when there are too
    few frames for the states.
    """
    frames = log_probs.shape[0]
    if frames < minimum_frames(states):
        raise AlignmentImpossible(f"{frames} frames cannot hold {len(states)} phones")
    if not states:
        return np.full(frames, BLANK_FRAME, dtype=np.int64)
    emissions = class_log_probs(log_probs, [blank, *states])
    # Extended sequence: blank, s0, blank, s1, ..., blank; column 0 of `emissions` is blank.
    extended = np.zeros(2 * len(states) + 1, dtype=np.int64)
    extended[1::2] = np.arange(1, len(states) + 1)
    can_skip = np.zeros(len(extended), dtype=bool)
    for position in range(3, len(extended), 2):
        can_skip[position] = states[position // 2] != states[position // 2 - 1]

    score = np.full(len(extended), -np.inf)
    score[0] = emissions[0, 0]
    score[1] = emissions[0, extended[1]]
    came_from = np.zeros((frames, len(extended)), dtype=np.int8)  # 0 stay, 1 from previous, 2 skip
    for frame in range(1, frames):
        stay = score
        advance = np.concatenate(([-np.inf], score[:-1]))
        skip = np.where(can_skip, np.concatenate(([-np.inf, -np.inf], score[:-2])), -np.inf)
        candidates = np.stack([stay, advance, skip])
        came_from[frame] = np.argmax(candidates, axis=0)
        score = candidates.max(axis=0) + emissions[frame, extended]

    position = len(extended) - 1 if score[-1] >= score[-2] else len(extended) - 2
    path = np.empty(frames, dtype=np.int64)
    for frame in range(frames - 1, -1, -1):
        path[frame] = position // 2 if position % 2 == 1 else BLANK_FRAME
        position -= int(came_from[frame, position])
    return path


def state_spans(path: np.ndarray, state_count: int) -> list[StateSpan]:
    """The frames each state was emitted on, from a path of :func:`viterbi_path`."""
    spans = []
    for state in range(state_count):
        frames = np.flatnonzero(path == state)
        spans.append(StateSpan(int(frames[0]), int(frames[-1])))
    return spans
