"""Hit and false-alarm rates of the ``phonetic`` backend on espeak-ng minimal-pair misreadings.

The pair set and the counting rules are those of ``tests/minimal_pairs.py``; this prints every case
and the rates per voice and overall. Run from the repository root:

    python bench/bench_phonetic_minimal_pairs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package lives at the root

from inference_daemon.backends.phonetic.backend import PhoneticBackend
from tests.minimal_pairs import VOICES, false_alarm_rate, hit_rate, run_pairs


def main() -> int:
    backend = PhoneticBackend()
    backend.load()
    outcomes = run_pairs(backend)
    for outcome in outcomes:
        word = outcome.document.words[outcome.pair.word_index]
        errors = ", ".join(f"{e.type.value}:{e.expected}->{e.heard}" for e in word.errors) or "-"
        flagged = [w.text for w in outcome.document.words if w.status.value != "ok"]
        print(
            f"{outcome.voice:6} {outcome.pair.misread_sentence():30} {'HIT ' if outcome.hit else 'miss'} "
            f"{word.text}={word.score:5.1f} {errors:30} flagged={flagged}"
        )
    for voice in VOICES:
        subset = [o for o in outcomes if o.voice == voice]
        print(f"{voice}: hit rate {hit_rate(subset):.2f}, false-alarm rate {false_alarm_rate(subset):.3f}")
    print(f"all: hit rate {hit_rate(outcomes):.2f}, false-alarm rate {false_alarm_rate(outcomes):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
