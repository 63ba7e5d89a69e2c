"""Minimum edit-cost alignment of two sequences: the one routine behind every "what was heard
instead" comparison (phones a model named, phones a recogniser decoded, words a recogniser heard).

Callers give the substitution cost of two items and the cost of a gap; ties are broken the same way
everywhere, traced back from the end: a match or substitution first, then a deletion, then an
insertion (so when a repeated item is heard once, the later occurrence is the one matched).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")

_TOLERANCE = 1e-9


def align_sequences(
    expected: Sequence[A],
    heard: Sequence[B],
    substitution_cost: Callable[[A, B], float],
    gap_cost: float = 1.0,
) -> list[tuple[int | None, int | None]]:
    """Pairs of indices ``(expected, heard)`` in order; ``None`` on one side marks a gap there."""
    rows, columns = len(expected) + 1, len(heard) + 1
    cost = [[0.0] * columns for _ in range(rows)]
    for i in range(1, rows):
        cost[i][0] = i * gap_cost
    for j in range(1, columns):
        cost[0][j] = j * gap_cost
    for i in range(1, rows):
        for j in range(1, columns):
            cost[i][j] = min(
                cost[i - 1][j - 1] + substitution_cost(expected[i - 1], heard[j - 1]),
                cost[i - 1][j] + gap_cost,
                cost[i][j - 1] + gap_cost,
            )
    pairs: list[tuple[int | None, int | None]] = []
    i, j = len(expected), len(heard)
    while i or j:
        if i and j and abs(cost[i][j] - (cost[i - 1][j - 1] + substitution_cost(expected[i - 1], heard[j - 1]))) \
                < _TOLERANCE:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and abs(cost[i][j] - (cost[i - 1][j] + gap_cost)) < _TOLERANCE:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    pairs.reverse()
    return pairs
