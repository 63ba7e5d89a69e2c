"""Reading authors' sentence files and the import rules: encodings, line ends, columns, bad lines, duplicates."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest

from inference_daemon.errors import InvalidText
from inference_daemon.sentence import check_latin_script, split_words, validate_target_text
from tools.make_deck import addon_module

source = addon_module("authoring.sentence_source")
rules = addon_module("authoring.import_rules")
Target = source.Target
RejectReason = rules.RejectReason


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_text_with_bom_and_windows_line_ends_keeps_line_numbers(tmp_path: Path) -> None:
    text = "I think so.\r\n\r\nThe café is open.\r\nZürich is far away.\r\n"
    path = write(tmp_path, "sentences.txt", codecs.BOM_UTF8 + text.encode("utf-8"))
    rows = source.read_rows(path)
    assert [(row.line_number, row.sentence) for row in rows] == [
        (1, "I think so."),
        (2, ""),
        (3, "The café is open."),
        (4, "Zürich is far away."),
    ]
    assert not rows[0].sentence.startswith("\ufeff")


def test_old_mac_line_ends_split_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "mac.txt", b"One line.\rTwo lines.\r")
    assert [row.sentence for row in source.read_rows(path)] == ["One line.", "Two lines."]


def test_utf16_tsv_from_a_spreadsheet_is_read_with_its_header(tmp_path: Path) -> None:
    text = "Sentence\tTranslation\tTags\r\nThe ship is big.\tLe bateau est grand.\tcontrast::vowels beginner\r\n"
    path = write(tmp_path, "sheet.tsv", text.encode("utf-16"))
    rows = source.read_rows(path)
    assert len(rows) == 1
    assert rows[0].line_number == 2
    assert rows[0].sentence == "The ship is big."
    assert rows[0].translation == "Le bateau est grand."
    assert rows[0].tags == ("contrast::vowels", "beginner")


def test_csv_quoted_cells_keep_commas_and_line_breaks_and_later_line_numbers_stay_right(tmp_path: Path) -> None:
    text = ('Tags,Sentence,Translation\r\nt1,"Yes, I think so.","Sí, creo que sí."\r\n'
            't2,"Two\r\nlines",x\r\nt3,Last one.,y\r\n')
    path = write(tmp_path, "quoted.csv", text.encode("utf-8"))
    rows = source.read_rows(path)
    assert [(row.line_number, row.sentence, row.translation, row.tags) for row in rows] == [
        (2, "Yes, I think so.", "Sí, creo que sí.", ("t1",)),
        (3, "Two\r\nlines", "x", ("t2",)),
        (5, "Last one.", "y", ("t3",)),
    ]


def test_semicolon_csv_from_european_spreadsheets_is_split_on_semicolons(tmp_path: Path) -> None:
    text = "Sentence;Translation\nThe rock fell.;Der Stein fiel.\nA long song.;Ein langes Lied.\n"
    rows = source.read_rows(write(tmp_path, "semi.csv", text.encode("utf-8")))
    assert [(row.sentence, row.translation) for row in rows] == [
        ("The rock fell.", "Der Stein fiel."),
        ("A long song.", "Ein langes Lied."),
    ]


def test_headerless_csv_maps_first_column_to_sentence_and_second_to_translation() -> None:
    table = source.parse_table("Good night.,Bonne nuit.\nSee you.,À plus.\n", source.SourceFormat.CSV)
    assert table.header is None
    mapping = source.guess_mapping(table)
    assert mapping == {Target.SENTENCE: 0, Target.TRANSLATION: 1}


def test_explicit_mapping_and_short_records_leave_unmapped_targets_empty() -> None:
    table = source.parse_table("fr\ten\tlevel\nBonjour\tHello there.\tbeginner\nSalut\n", source.SourceFormat.TSV,
                               has_header=True)
    rows = source.table_rows(table, {Target.SENTENCE: 1, Target.TRANSLATION: 0, Target.TAGS: 2})
    assert [(row.sentence, row.translation, row.tags) for row in rows] == [
        ("Hello there.", "Bonjour", ("beginner",)),
        ("", "Salut", ()),
    ]


def test_a_file_that_is_not_utf8_is_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.txt", "Le café est très bon.\n".encode("latin-1"))
    with pytest.raises(source.SourceFileError, match="UTF-8"):
        source.read_rows(path)


def test_plan_reports_bad_lines_and_skips_duplicates_case_and_whitespace_insensitively() -> None:
    row = rules.SourceRow
    plan = rules.plan_import(
        [
            row(1, "  I think   so. "),
            row(2, ""),
            row(3, "   "),
            row(4, "... — !"),
            row(5, "a" * 301),
            row(6, "i THINK so."),
            row(7, "She sells sea shells."),
            row(8, "The rock fell."),
            row(9, "x" * 300),
        ],
        existing_sentences=["the rock  FELL."],
    )
    assert [(r.line_number, r.sentence) for r in plan.to_add] == [
        (1, "I think so."),
        (7, "She sells sea shells."),
        (9, "x" * 300),
    ]
    assert [r.line_number for r in plan.duplicates] == [6, 8]
    assert [(r.row.line_number, r.reason) for r in plan.rejected] == [
        (2, RejectReason.EMPTY),
        (3, RejectReason.EMPTY),
        (4, RejectReason.NO_PRONOUNCEABLE_WORD),
        (5, RejectReason.TOO_LONG),
    ]


def test_composed_and_decomposed_accents_are_the_same_sentence() -> None:
    composed = "The café is open."
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    plan = rules.plan_import([rules.SourceRow(1, decomposed)], existing_sentences=[composed])
    assert len(plan.duplicates) == 1


TRICKY_SENTENCES = [
    "I think so.",
    "...",
    "— – -",
    "'quoted'",
    "(yes)",
    "3.5 kilos",
    "$5",
    "__init__",
    "_",
    "¿Qué?",
    "北京 is big",
    "Привет",
    "مرحبا بكم",
    "Zürich and Kraków",
    "«»",
    "don't stop",
    "well-known",
    "\u00a0\u2003",
    "a" * 300,
    "a" * 301,
    "",
]


@pytest.mark.parametrize("text", TRICKY_SENTENCES)
def test_word_rule_agrees_with_the_daemon(text: str) -> None:
    assert rules.pronounceable_words(text) == split_words(text)
    reason = rules.reject_reason(rules.clean_sentence(text))
    try:
        validate_target_text(text)
        check_latin_script(text)
    except InvalidText:
        assert reason is not None
    else:
        assert reason is None
