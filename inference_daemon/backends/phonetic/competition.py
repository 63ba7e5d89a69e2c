"""Let each word's expected pronunciation compete with the learner errors the knowledge base names.

Per word, the competitors are its expected pronunciation with one phone replaced by a frequent
substitute (the knowledge base's confusions: TH->S, V->B, ...), its final consonant dropped, or a
vowel added after it (epenthesis). One grammar pass over the recording offers, per word, the valid
pronunciations and these competitors. Its word lattice gives, for every word hypothesis, the score
of the best complete path through it (Viterbi forward + backward); per word, the margin between the
best path reading it as expected and the best reading it as a competitor is the confusion-aware
GOP (positive: the expected pronunciation won by that much), and the best competitor, when it wins,
is what was heard. This pass replaced the free phone loop: close pairs (think/sink, bath/bat) are
compared directly instead of blurred, and one grammar pass costs less than an all-phone search.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pocketsphinx

from inference_daemon.backends.phonetic.decoders import (
    FRAME_S,
    WORD_PREFIX,
    Transition,
    activate_grammar,
    decode,
    ensure_pronunciation,
)
from inference_daemon.phonetics import load_knowledge_base
from inference_daemon.pronunciation.arpabet import VOWELS

log = logging.getLogger(__name__)

# The vowel learners add after a final consonant ("big-uh").
EPENTHETIC_VOWEL = "AH"
# Margins (raw log units per frame) beyond this are as good as certain; also the margin of a word
# whose competitors (or whose expected pronunciation) did not survive in the lattice.
MARGIN_CLIP = 5.0
_GRAMMAR = "competition"


@dataclass(frozen=True)
class Competitor:
    """A wrong pronunciation of a word: its phones and the position of the expected phone it changes."""

    phones: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class WordContest:
    """The outcome for one word: the pronunciation that won and the expected-vs-competitor margins.

    Margins are in the lattice's log units per frame of the word: ``margin`` against any competitor,
    ``phone_margins`` against the competitors that change each expected phone. ``winner`` is
    ``None`` when an expected pronunciation won; ``contested`` says whether both sides survived in
    the lattice (otherwise the margin is :data:`MARGIN_CLIP`, for the side that did).
    """

    margin: float
    phone_margins: tuple[float, ...]
    winner: Competitor | None
    contested: bool

    @classmethod
    def unknown(cls, phones: int) -> WordContest:
        """No competition result (the pass found no path): no margin either way, nothing heard."""
        return cls(0.0, (0.0,) * phones, None, False)


@cache
def _substitutes() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for key in load_knowledge_base().confusions:
        expected, heard = key.split("->")
        found.setdefault(expected, []).append(heard)
    return {phone: tuple(heard) for phone, heard in found.items()}


def competitors(pronunciations: Sequence[Sequence[str]]) -> list[Competitor]:
    """Frequent learner errors on the primary pronunciation that are not themselves valid pronunciations."""
    expected = tuple(pronunciations[0])
    candidates = [
        Competitor((*expected[:position], substitute, *expected[position + 1 :]), position)
        for position, phone in enumerate(expected)
        for substitute in _substitutes().get(phone, ())
    ]
    last = len(expected) - 1
    if last > 0 and expected[last] in load_knowledge_base().final_deletion_pairs:
        candidates.append(Competitor(expected[:last], last))
    if expected[last] not in VOWELS:
        candidates.append(Competitor((*expected, EPENTHETIC_VOWEL), last + 1))
    valid = {tuple(p) for p in pronunciations}
    unique: dict[tuple[str, ...], Competitor] = {}
    for candidate in candidates:
        if candidate.phones not in valid:
            unique.setdefault(candidate.phones, candidate)
    return list(unique.values())


@dataclass(frozen=True)
class LatticeWord:
    """A word hypothesis of the competition pass's lattice: dictionary word, start frame, and the best
    score of any complete path through it (raw log units of the lattice)."""

    key: str
    start: int
    best_path: float


def _read_htk(path: Path) -> tuple[dict[int, tuple[str, int]], list[tuple[int, int, float]]]:
    """Nodes (id -> word, start frame) and links (from, to, acoustic score of the from-node's word)."""
    nodes: dict[int, tuple[str, int]] = {}
    links: list[tuple[int, int, float]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = dict(item.split("=", 1) for item in line.split() if "=" in item)
        if "I" in fields:
            nodes[int(fields["I"])] = (fields["W"], round(float(fields["t"]) / FRAME_S))
        elif "J" in fields:
            links.append((int(fields["S"]), int(fields["E"]), float(fields["a"])))
    return nodes, links


def _best_paths(nodes: dict[int, tuple[str, int]], links: list[tuple[int, int, float]]) -> list[LatticeWord]:
    """Viterbi forward and backward over the lattice: the best complete path through every word node."""
    outgoing: dict[int, list[tuple[int, float]]] = {node: [] for node in nodes}
    incoming = dict.fromkeys(nodes, 0)
    for start, end, score in links:
        outgoing[start].append((end, score))
        incoming[end] += 1
    order = [node for node, count in incoming.items() if count == 0]
    forward = dict.fromkeys(nodes, -math.inf)
    for node in order:
        forward[node] = 0.0
    for node in order:
        for end, _ in outgoing[node]:
            incoming[end] -= 1
            if incoming[end] == 0:
                order.append(end)
    for node in order:
        for end, score in outgoing[node]:
            forward[end] = max(forward[end], forward[node] + score)
    backward = dict.fromkeys(nodes, -math.inf)
    for node in reversed(order):
        backward[node] = max((score + backward[end] for end, score in outgoing[node]), default=0.0)
    return [
        LatticeWord(word, start, forward[node] + backward[node])
        for node, (word, start) in nodes.items()
        if word.startswith(WORD_PREFIX) and forward[node] > -math.inf
    ]


@dataclass(frozen=True)
class ContestPass:
    """The raw outcome of the competition pass: its lattice's word hypotheses and which dictionary
    words are competitors at each position (the others are valid pronunciations)."""

    words: list[LatticeWord]
    rivals: list[dict[str, Competitor]]
    valid: list[set[str]]


def run_contest(
    decoder: pocketsphinx.Decoder, raw: bytes, pronunciations: Sequence[Sequence[Sequence[str]]]
) -> ContestPass | None:
    """Decode ``raw`` once with every word's valid pronunciations and competitors; ``None`` when the
    pass found no path through all the words."""
    rivals = [{ensure_pronunciation(decoder, list(c.phones)): c for c in competitors(word)} for word in pronunciations]
    valid = [{ensure_pronunciation(decoder, list(phones)) for phones in word} for word in pronunciations]
    transitions: list[Transition] = []
    for state, (keys, word_rivals) in enumerate(zip(valid, rivals, strict=True)):
        transitions.extend((state, state + 1, 1.0, key) for key in [*sorted(keys), *word_rivals])
    activate_grammar(decoder, _GRAMMAR, len(pronunciations), transitions)
    decode(decoder, raw)
    if decoder.hyp() is None:
        log.debug("competition pass found no path")
        return None
    with tempfile.TemporaryDirectory(prefix="phonetic-lattice-") as folder:
        path = Path(folder) / "lattice.htk"
        decoder.get_lattice().write_htk(str(path))
        words = _best_paths(*_read_htk(path))
    return ContestPass(words, rivals, valid) if words else None


def _positions(outcome: ContestPass, spans: Sequence[tuple[int, int]]) -> list[list[LatticeWord]]:
    """The lattice words at each sentence position: a word whose spelling fits several positions (a
    word read twice) goes to the one whose aligned span is nearest its start."""
    by_position: list[list[LatticeWord]] = [[] for _ in spans]
    for word in outcome.words:
        fitting = [i for i in range(len(spans)) if word.key in outcome.valid[i] or word.key in outcome.rivals[i]]
        if fitting:
            nearest = min(fitting, key=lambda i: abs(spans[i][0] - word.start) + abs(spans[i][1] - word.start))
            by_position[nearest].append(word)
    return by_position


def contests(outcome: ContestPass, lengths: Sequence[int], spans: Sequence[tuple[int, int]]) -> list[WordContest]:
    """Per word (``lengths``: its expected phones, ``spans``: its aligned frames), the winner and the
    margins per frame, clipped to :data:`MARGIN_CLIP` (also the value when one side is not in the lattice)."""
    result = []
    for position, (phones, (start, end), hypotheses) in enumerate(
        zip(lengths, spans, _positions(outcome, spans), strict=True)
    ):
        rivals = outcome.rivals[position]
        expected = max((w.best_path for w in hypotheses if w.key not in rivals), default=None)
        competing = [w for w in hypotheses if w.key in rivals]
        best_rival = max(competing, key=lambda w: w.best_path, default=None)
        by_phone: list[float | None] = [None] * phones
        for word in competing:
            changed = min(rivals[word.key].position, phones - 1)
            current = by_phone[changed]
            by_phone[changed] = word.best_path if current is None else max(current, word.best_path)
        per_frame = max(end - start, 1)

        def margin(competitor: float | None, per_frame: int = per_frame, expected: float | None = expected) -> float:
            if expected is None:
                return -MARGIN_CLIP
            if competitor is None:
                return MARGIN_CLIP
            return float(min(max((expected - competitor) / per_frame, -MARGIN_CLIP), MARGIN_CLIP))

        word_margin = margin(None if best_rival is None else best_rival.best_path)
        result.append(
            WordContest(
                margin=word_margin,
                phone_margins=tuple(margin(score) for score in by_phone),
                winner=rivals[best_rival.key] if best_rival is not None and word_margin < 0 else None,
                contested=expected is not None and best_rival is not None,
            )
        )
    return result
