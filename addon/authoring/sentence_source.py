"""Read the sentences a deck author supplies: plain text (one per line), CSV or TSV with mapped columns.

Files from any editor are accepted: UTF-8 with or without a byte-order mark, UTF-16 with one (what
spreadsheets save as "Unicode text"), and Unix, Windows or old Mac line ends.
"""

from __future__ import annotations

import codecs
import csv
import enum
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .import_rules import SourceRow


class SourceFormat(enum.Enum):
    PLAIN_TEXT = "plain text"
    CSV = "CSV"
    TSV = "TSV"


class SourceFileError(Exception):
    """The file cannot be read as sentences; the message says what the author can do."""


class Target(enum.Enum):
    """Where a column of a CSV/TSV file goes; the value is the name authors see and use in headers."""

    SENTENCE = "Sentence"
    TRANSLATION = "Translation"
    HINT = "Hint"
    TAGS = "Tags"


@dataclass(frozen=True)
class Table:
    """A CSV/TSV file's records; ``rows`` pairs each record with the file line it starts on."""

    header: tuple[str, ...] | None
    rows: tuple[tuple[int, tuple[str, ...]], ...]

    @property
    def column_count(self) -> int:
        widths = [len(cells) for _, cells in self.rows]
        if self.header is not None:
            widths.append(len(self.header))
        return max(widths, default=0)


# Target -> column index; a target absent from the mapping is left empty.
ColumnMapping = dict[Target, int]

_TAG_SEPARATORS = re.compile(r"[\s,;]+")


def detect_format(path: Path) -> SourceFormat:
    """The format from the file name: .csv is CSV, .tsv/.tab is TSV, anything else one sentence per line."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return SourceFormat.CSV
    if suffix in (".tsv", ".tab"):
        return SourceFormat.TSV
    return SourceFormat.PLAIN_TEXT


def read_source_text(path: Path) -> str:
    """The file's text, decoded by its byte-order mark (UTF-8 without one)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceFileError(f"Cannot read {path}: {error.strerror or error}.") from error
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceFileError(
            f"{path.name} is not UTF-8 text (byte {error.start} cannot be decoded). "
            "Save it as UTF-8 (\"CSV UTF-8\" in spreadsheets) and try again."
        ) from error


def plain_text_rows(text: str) -> list[SourceRow]:
    """One row per line, numbered from 1; blank lines are kept so the rules can report them."""
    return [SourceRow(line_number=number, sentence=line) for number, line in enumerate(text.splitlines(), 1)]


def parse_table(text: str, source_format: SourceFormat, has_header: bool | None = None) -> Table:
    """Split CSV/TSV text into records (quoted cells may hold delimiters and line breaks).

    ``has_header=None`` takes the first record as a header when one of its cells is "Sentence".
    """
    if source_format is SourceFormat.PLAIN_TEXT:
        raise ValueError("plain text has no columns")
    delimiter = "\t" if source_format is SourceFormat.TSV else _csv_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, tuple[str, ...]]] = []
    next_line = 1
    try:
        for cells in reader:
            records.append((next_line, tuple(cells)))
            next_line = reader.line_num + 1
    except csv.Error as error:
        raise SourceFileError(f"Line {reader.line_num}: {error}.") from error
    if has_header is None:
        has_header = bool(records) and _names_sentence_column(records[0][1])
    if has_header and records:
        return Table(header=records[0][1], rows=tuple(records[1:]))
    return Table(header=None, rows=tuple(records))


def _names_sentence_column(cells: tuple[str, ...]) -> bool:
    return any(cell.strip().casefold() == Target.SENTENCE.value.casefold() for cell in cells)


def _csv_delimiter(text: str) -> str:
    """Comma unless the first lines are clearly separated by semicolons or tabs (spreadsheet locales)."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def guess_mapping(table: Table) -> ColumnMapping:
    """Columns named after a target in the header go there; otherwise the first is Sentence, the second Translation."""
    if table.header is not None:
        by_name = {name.strip().casefold(): index for index, name in enumerate(table.header)}
        named = {target: by_name[target.value.casefold()] for target in Target if target.value.casefold() in by_name}
        if Target.SENTENCE in named:
            return named
    mapping = {Target.SENTENCE: 0}
    if table.column_count > 1:
        mapping[Target.TRANSLATION] = 1
    return mapping


def table_rows(table: Table, mapping: ColumnMapping) -> list[SourceRow]:
    """Apply the column mapping; a record too short for a column leaves that target empty."""
    if Target.SENTENCE not in mapping:
        raise ValueError("the Sentence column must be mapped")

    def cell(cells: tuple[str, ...], target: Target) -> str:
        index = mapping.get(target)
        return cells[index] if index is not None and index < len(cells) else ""

    return [
        SourceRow(
            line_number=line_number,
            sentence=cell(cells, Target.SENTENCE),
            translation=cell(cells, Target.TRANSLATION),
            hint=cell(cells, Target.HINT),
            tags=split_tags(cell(cells, Target.TAGS)),
        )
        for line_number, cells in table.rows
    ]


def split_tags(text: str) -> tuple[str, ...]:
    """Tags separated by spaces, commas or semicolons (Anki tags cannot contain spaces)."""
    return tuple(tag for tag in _TAG_SEPARATORS.split(text.strip()) if tag)


def read_rows(
    path: Path,
    source_format: SourceFormat | None = None,
    mapping: ColumnMapping | None = None,
    has_header: bool | None = None,
) -> list[SourceRow]:
    """Every row of the file, ready for the import rules; the mapping defaults to :func:`guess_mapping`."""
    text = read_source_text(path)
    source_format = source_format or detect_format(path)
    if source_format is SourceFormat.PLAIN_TEXT:
        return plain_text_rows(text)
    table = parse_table(text, source_format, has_header)
    return table_rows(table, mapping if mapping is not None else guess_mapping(table))
