"""Hit, naming and false-alarm rates of the ``phonetic`` backend on learner confusions read by espeak-ng.

The cases and counting rules are those of ``tests/confusion_pairs.py`` (36 confusions, each read as
written and misread); voices the project tuned on earlier and voices never used for tuning are
reported apart. Prints every misreading and the rates.

    python bench/bench_phonetic_confusions.py [--no-whisper] [--voices en-us en-029]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package lives at the root

from inference_daemon.backends.phonetic.backend import PhoneticBackend
from tests.confusion_pairs import DEV_VOICES, HELD_OUT_VOICES, rates, read_cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", nargs="+", default=[*DEV_VOICES, *HELD_OUT_VOICES])
    parser.add_argument("--no-whisper", action="store_true", help="PocketSphinx evidence only")
    args = parser.parse_args(argv)
    backend = PhoneticBackend(use_whisper=not args.no_whisper)
    backend.load()
    readings = read_cases(backend, args.voices)
    for reading in readings:
        if not reading.misread:
            continue
        word = reading.document.words[reading.case.word_index]
        errors = ", ".join(f"{e.type.value}:{e.expected}->{e.heard}" for e in word.errors) or "-"
        print(f"{reading.voice:15} {reading.case.misread_sentence():28} {'HIT ' if reading.flagged else 'miss'}"
              f"{' named' if reading.named_right else '      '} {word.text}={word.score:5.1f} {errors}")
    report: dict[str, object] = {"evidence": backend.evidence}
    groups: dict[str, tuple[str, ...]] = {"dev_voices": DEV_VOICES, "held_out_voices": HELD_OUT_VOICES,
                                         "all": tuple(args.voices)}
    groups.update({voice: (voice,) for voice in args.voices})
    for name, voices in groups.items():
        subset = [r for r in readings if r.voice in voices and r.voice in args.voices]
        if subset:
            report[name] = {key: round(value, 3) for key, value in asdict(rates(subset)).items()}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
