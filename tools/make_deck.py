"""Build a shareable Pronunciation Practice deck (.apkg) from a sentence file, without opening Anki.

The sentences go through the add-on's own authoring code (imported from ``addon/``), so bad lines
and duplicates follow exactly the rules of Tools → Pronunciation Coach → Import sentences…; the
notes are added to a real collection in a temporary folder, which is then exported.

    python tools/make_deck.py sentences.txt --deck "My sentences" --out my-sentences.apkg
    python tools/make_deck.py words.csv --deck French::Phrases --out phrases.apkg \\
        --sentence-column English --translation-column French --reference-audio
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import tempfile
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

if TYPE_CHECKING:
    from anki.collection import Collection

log = logging.getLogger("make_deck")

ADDON_DIR = Path(__file__).resolve().parents[1] / "addon"
# The add-on's package, imported under a name of its own: without running addon/__init__.py (which
# needs Anki's GUI), and without taking the name Anki gives the installed add-on.
OUTSIDE_ANKI_PACKAGE = "pronunciation_coach_outside_anki"

FORMAT_CHOICES = {"auto": None, "text": "PLAIN_TEXT", "csv": "CSV", "tsv": "TSV"}


def addon_module(name: str) -> types.ModuleType:
    """A module of the add-on (e.g. ``authoring.importer``), imported from ``addon/`` by path."""
    if OUTSIDE_ANKI_PACKAGE not in sys.modules:
        package = types.ModuleType(OUTSIDE_ANKI_PACKAGE, "The Pronunciation Coach add-on, outside Anki.")
        package.__path__ = [str(ADDON_DIR)]
        sys.modules[OUTSIDE_ANKI_PACKAGE] = package
    return importlib.import_module(f"{OUTSIDE_ANKI_PACKAGE}.{name}")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sentences_file", type=Path, help="plain text (one sentence per line), .csv or .tsv")
    parser.add_argument("--deck", required=True, help='deck name; "Parent::Child" makes a subdeck')
    parser.add_argument("--out", required=True, type=Path, help="the .apkg file to write")
    parser.add_argument("--format", choices=FORMAT_CHOICES, default="auto",
                        help="file format (default: from the extension; anything but .csv/.tsv is plain text)")
    header = parser.add_mutually_exclusive_group()
    header.add_argument("--header", dest="has_header", action="store_true", default=None,
                        help="the first CSV/TSV row names the columns (default: when a cell says Sentence)")
    header.add_argument("--no-header", dest="has_header", action="store_false")
    for target in ("sentence", "translation", "hint", "tags"):
        parser.add_argument(f"--{target}-column", metavar="COLUMN",
                            help=f"CSV/TSV column for {target.capitalize()}: a header name or a number from 1")
    parser.add_argument("--tag", action="append", default=[], help="add this tag to every note (repeatable)")
    parser.add_argument("--reference-audio", action="store_true",
                        help="speak each sentence with espeak-ng into the Reference Audio field")
    parser.add_argument("--voice", default="en-us", help="espeak-ng voice for reference audio (default en-us)")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def column_index(spec: str, header: tuple[str, ...] | None) -> int:
    """A column given as a number from 1 or, with a header, by its name (case-insensitive)."""
    if spec.isdigit() and int(spec) >= 1:
        return int(spec) - 1
    if header is not None:
        names = [name.strip().casefold() for name in header]
        if spec.strip().casefold() in names:
            return names.index(spec.strip().casefold())
    raise ValueError(f"no column {spec!r}" + (f" (the header has: {', '.join(header)})" if header else ""))


def read_rows(arguments: argparse.Namespace) -> list[Any]:
    """The file's rows (the add-on's SourceRow), with the columns the options name."""
    source = addon_module("authoring.sentence_source")
    path: Path = arguments.sentences_file
    chosen = FORMAT_CHOICES[arguments.format]
    source_format = source.SourceFormat[chosen] if chosen else source.detect_format(path)
    text = source.read_source_text(path)
    if source_format is source.SourceFormat.PLAIN_TEXT:
        return source.plain_text_rows(text)
    column_specs = {target: getattr(arguments, f"{target.name.lower()}_column") for target in source.Target}
    has_header = arguments.has_header
    if has_header is None and any(spec and not spec.isdigit() for spec in column_specs.values()):
        has_header = True  # a column named on the command line is named in the header
    table = source.parse_table(text, source_format, has_header)
    mapping = source.guess_mapping(table)
    for target, spec in column_specs.items():
        if spec is not None:
            mapping[target] = column_index(spec, table.header)
    return source.table_rows(table, mapping)


def export_deck(col: Collection, deck_name: str, out: Path) -> None:
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    deck_id = col.decks.id_for_name(deck_name)
    assert deck_id is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False)
    col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(deck_id))


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO if arguments.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from anki.collection import Collection

    source = addon_module("authoring.sentence_source")
    importer = addon_module("authoring.importer")
    try:
        rows = read_rows(arguments)
    except (source.SourceFileError, ValueError) as error:
        print(f"make_deck: {error}", file=sys.stderr)
        return 2
    options = importer.ImportOptions(
        deck_name=arguments.deck,
        extra_tags=tuple(arguments.tag),
        reference_audio=arguments.reference_audio,
        voice=arguments.voice,
    )
    with tempfile.TemporaryDirectory(prefix="make-deck-") as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        try:
            with tqdm(desc="notes", unit="note", disable=None) as progress:

                def on_progress(done: int, total: int) -> None:
                    progress.total = total
                    progress.update(done - progress.n)

                report = importer.import_rows(col, rows, options, on_progress)
            print(report.summary())
            if not report.added:
                print("make_deck: no sentence to add; no package written", file=sys.stderr)
                return 1
            export_deck(col, report.deck_name, arguments.out)
        finally:
            col.close()
    print(f"Wrote {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
