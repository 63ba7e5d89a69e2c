"""A real Anki collection in a temporary folder, closed afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from anki.collection import Collection


@contextlib.contextmanager
def temporary_collection(directory: Path) -> Iterator[Collection]:
    col = Collection(str(directory / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()
