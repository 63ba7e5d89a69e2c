"""A small reader for Praat TextGrid files (long and short text formats), as L2-ARCTIC ships them.

Why our own: the corpus needs only interval tiers read in order, and the two formats share one
token stream once labels and bracket indices are dropped, so a tokenizer and a walk over it is
all it takes, with no dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_INDEX = re.compile(r"\[\s*\d*\s*\]")
_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(?<![\w.])(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])')


@dataclass(frozen=True)
class Interval:
    start: float
    end: float
    text: str

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class Tier:
    name: str
    intervals: tuple[Interval, ...]


class TextGridError(ValueError):
    """The file is not a TextGrid this reader understands."""


def _tokens(content: str) -> list[str | float]:
    tokens: list[str | float] = []
    for line in content.splitlines():
        if "<exists>" in line or "<absent>" in line:
            continue
        for match in _TOKEN.finditer(_INDEX.sub("", line)):
            text, number = match.groups()
            tokens.append(text.replace('""', '"') if text is not None else float(number))
    return tokens


def parse_textgrid(content: str) -> dict[str, Tier]:
    """Parse TextGrid text into tiers by name (interval tiers; point tiers become zero-length intervals)."""
    tokens = _tokens(content)
    if tokens[:2] != ["ooTextFile", "TextGrid"]:
        raise TextGridError("not a Praat TextGrid text file")
    position = 4  # after: file type, object class, xmin, xmax

    def take() -> str | float:
        nonlocal position
        if position >= len(tokens):
            raise TextGridError("the TextGrid ends early")
        position += 1
        return tokens[position - 1]

    tiers: dict[str, Tier] = {}
    for _ in range(int(take())):
        kind, name = str(take()), str(take())
        take(), take()  # tier xmin, xmax
        count = int(take())
        intervals = []
        for _ in range(count):
            if kind == "IntervalTier":
                start, end, text = float(take()), float(take()), str(take())
            else:  # TextTier: a time and a mark
                start = end = float(take())
                text = str(take())
            intervals.append(Interval(start, end, text.strip()))
        tiers[name] = Tier(name, tuple(intervals))
    return tiers


def read_textgrid(path: Path) -> dict[str, Tier]:
    """Read a TextGrid file (UTF-8 or UTF-16, as Praat writes either)."""
    raw = path.read_bytes()
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return parse_textgrid(raw.decode(encoding))
    except TextGridError as exc:
        raise TextGridError(f"{path}: {exc}") from exc


def tier(tiers: dict[str, Tier], name: str) -> Tier:
    """A tier by name, case-insensitively (L2-ARCTIC writes 'words'/'phones', other tools 'Words')."""
    for key, value in tiers.items():
        if key.lower() == name.lower():
            return value
    raise TextGridError(f"no tier named {name!r} (tiers: {', '.join(tiers)})")
