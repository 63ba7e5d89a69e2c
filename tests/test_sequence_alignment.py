"""The shared minimum edit-cost alignment: costs, gaps, and the documented tie-breaking."""

from __future__ import annotations

from inference_daemon.sequence_alignment import align_sequences


def unit(a: str, b: str) -> float:
    return float(a != b)


def test_identical_sequences_pair_one_to_one() -> None:
    assert align_sequences("abc", "abc", unit) == [(0, 0), (1, 1), (2, 2)]


def test_substitution_deletion_and_insertion() -> None:
    assert align_sequences("kat", "kt", unit) == [(0, 0), (1, None), (2, 1)]
    assert align_sequences("kt", "kat", unit) == [(0, 0), (None, 1), (1, 2)]
    assert align_sequences("sink", "think", unit) == [(None, 0), (0, 1), (1, 2), (2, 3), (3, 4)]


def test_a_repeated_item_heard_once_matches_the_later_occurrence() -> None:
    assert align_sequences(["the", "the", "cat"], ["the", "cat"], unit) == [(0, None), (1, 0), (2, 1)]


def test_expensive_substitutions_become_a_gap_pair() -> None:
    far = lambda a, b: 0.0 if a == b else 5.0  # noqa: E731
    assert align_sequences("a", "b", far) == [(None, 0), (0, None)]  # traced from the end: deletion last


def test_empty_sides() -> None:
    assert align_sequences("", "", unit) == []
    assert align_sequences("ab", "", unit) == [(0, None), (1, None)]
    assert align_sequences("", "ab", unit) == [(None, 0), (None, 1)]
