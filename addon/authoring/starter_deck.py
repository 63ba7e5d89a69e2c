"""The starter deck shipped with the add-on: sentences written for this project, one per sound contrast drilled.

``starter_sentences.tsv`` holds them (columns Sentence, Hint, Tags); every sentence is tagged
``contrast::…`` and ``level::…`` and its hint names the minimal pair it practises.
"""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection

from .import_rules import SourceRow
from .importer import ImportOptions, ImportReport, ProgressCallback, import_rows
from .sentence_source import SourceFormat, read_rows

STARTER_DECK_NAME = "Pronunciation Coach::Starter"
STARTER_SENTENCES = Path(__file__).with_name("starter_sentences.tsv")


def starter_rows() -> list[SourceRow]:
    """The starter sentences with their hints and tags."""
    return read_rows(STARTER_SENTENCES, SourceFormat.TSV, has_header=True)


def import_starter_deck(
    col: Collection,
    reference_audio: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Add the starter sentences to the starter deck; sentences already there are skipped, so it can be re-run."""
    options = ImportOptions(deck_name=STARTER_DECK_NAME, reference_audio=reference_audio)
    return import_rows(col, starter_rows(), options, on_progress)
