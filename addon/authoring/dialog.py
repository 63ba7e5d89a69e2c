"""Tools → Pronunciation Coach → Import sentences…: pick a file, map its columns, choose a deck, preview, import.

The preview applies the same rules as the import itself, so what it says will be added is what
gets added; the import runs as one undoable CollectionOp in the background.
"""

from __future__ import annotations

import logging
from pathlib import Path

from anki.errors import AbortSchemaModification
from aqt.main import AnkiQt
from aqt.operations import CollectionOp
from aqt.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from aqt.utils import getFile, showWarning

from .gui_feedback import REPORT_TITLE, progress_on_main, show_report
from .hint_field import lacks_hint_field
from .import_rules import ImportPlan, SourceRow
from .importer import ImportOptions, ImportReport, import_rows, preview_import
from .reference_audio import espeak_path
from .sentence_source import (
    SourceFileError,
    SourceFormat,
    Table,
    Target,
    detect_format,
    guess_mapping,
    parse_table,
    plain_text_rows,
    read_source_text,
    table_rows,
)

log = logging.getLogger(__name__)

FILE_FILTER = "Sentences (*.txt *.csv *.tsv *.tab)"
PREVIEW_ROW_LIMIT = 1000
_NO_COLUMN = -1
_PREVIEW_HEADERS = ("Line", "Status", "Sentence", "Translation", "Hint", "Tags")


class ImportSentencesDialog(QDialog):
    """The dialog; ``last_report`` holds the outcome once an import has finished."""

    def __init__(self, mw: AnkiQt) -> None:
        super().__init__(mw)
        self.mw = mw
        self.text = ""
        self.table: Table | None = None
        self.rows: list[SourceRow] = []
        self.plan = ImportPlan()
        self.last_report: ImportReport | None = None
        self.setWindowTitle(f"{REPORT_TITLE}: import sentences")
        self.resize(860, 560)
        self._build()

    # Layout

    def _build(self) -> None:
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("A .txt file (one sentence per line), or a .csv / .tsv file")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(choose)

        self.format_box = QComboBox()
        for source_format in SourceFormat:
            self.format_box.addItem(source_format.value, source_format)
        self.format_box.currentIndexChanged.connect(self._reparse)

        self.deck_box = QComboBox()
        self.deck_box.setEditable(True)
        self.deck_box.setToolTip("Choose a deck, or type a new name to create one (Parent::Child for a subdeck).")
        assert self.mw.col is not None
        names = [deck.name for deck in self.mw.col.decks.all_names_and_ids(include_filtered=False)]
        self.deck_box.addItems(names)
        self.deck_box.setCurrentText(self.mw.col.decks.current()["name"])
        self.deck_box.currentTextChanged.connect(self._refresh_preview)

        self.audio_check = QCheckBox("Make reference audio with espeak-ng")
        if espeak_path() is None:
            self.audio_check.setEnabled(False)
            self.audio_check.setToolTip("espeak-ng is not installed; the Reference Audio field stays empty.")

        form = QFormLayout()
        form.addRow("File:", file_row)
        form.addRow("Format:", self.format_box)
        form.addRow("Deck:", self.deck_box)
        form.addRow("", self.audio_check)

        self.columns_group = QGroupBox("Columns")
        columns = QFormLayout(self.columns_group)
        self.header_check = QCheckBox("The first row names the columns")
        self.header_check.toggled.connect(self._reparse_table)
        columns.addRow(self.header_check)
        self.column_boxes: dict[Target, QComboBox] = {}
        for target in Target:
            box = QComboBox()
            box.currentIndexChanged.connect(self._refresh_preview)
            self.column_boxes[target] = box
            columns.addRow(f"{target.value}:", box)
        self.columns_group.setVisible(False)

        self.preview = QTableWidget(0, len(_PREVIEW_HEADERS))
        self.preview.setHorizontalHeaderLabels(_PREVIEW_HEADERS)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        vertical_header, horizontal_header = self.preview.verticalHeader(), self.preview.horizontalHeader()
        assert vertical_header is not None and horizontal_header is not None
        vertical_header.setVisible(False)
        for column in (0, 1):
            horizontal_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        horizontal_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.summary_label = QLabel("Choose a file to see what will be imported.")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        assert self.import_button is not None
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.import_now)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.columns_group)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.buttons)

    # Reading the file

    def _choose_file(self) -> None:
        getFile(self, "Sentences to import", lambda path: self.load_file(Path(str(path))), filter=FILE_FILTER,
                key="pronunciation_coach_sentences")

    def load_file(self, path: Path) -> None:
        """Read ``path`` and preview it; the format follows the file name until the author changes it."""
        try:
            self.text = read_source_text(path)
        except SourceFileError as error:
            showWarning(str(error), parent=self, title=REPORT_TITLE)
            return
        self.file_edit.setText(str(path))
        self.header_check.blockSignals(True)
        self.header_check.setChecked(False)
        self.header_check.blockSignals(False)
        self.format_box.blockSignals(True)
        self.format_box.setCurrentIndex(self.format_box.findData(detect_format(path)))
        self.format_box.blockSignals(False)
        self._reparse()

    def _reparse(self) -> None:
        source_format: SourceFormat = self.format_box.currentData()
        self.columns_group.setVisible(source_format is not SourceFormat.PLAIN_TEXT)
        if source_format is SourceFormat.PLAIN_TEXT:
            self.table = None
            self._refresh_preview()
            return
        self._reparse_table(None)

    def _reparse_table(self, has_header: bool | None) -> None:
        source_format: SourceFormat = self.format_box.currentData()
        if source_format is SourceFormat.PLAIN_TEXT:
            return
        try:
            self.table = parse_table(self.text, source_format, has_header)
        except SourceFileError as error:
            showWarning(str(error), parent=self, title=REPORT_TITLE)
            self.table = None
            self._refresh_preview()
            return
        self.header_check.blockSignals(True)
        self.header_check.setChecked(self.table.header is not None)
        self.header_check.blockSignals(False)
        self._fill_column_boxes(self.table)
        self._refresh_preview()

    def _fill_column_boxes(self, table: Table) -> None:
        first_cells = table.header or (table.rows[0][1] if table.rows else ())
        mapping = guess_mapping(table)
        for target, box in self.column_boxes.items():
            box.blockSignals(True)
            box.clear()
            if target is not Target.SENTENCE:
                box.addItem("(none)", _NO_COLUMN)
            for index in range(table.column_count):
                sample = first_cells[index] if index < len(first_cells) else ""
                box.addItem(f"{index + 1}: {sample[:40]}", index)
            box.setCurrentIndex(max(0, box.findData(mapping.get(target, _NO_COLUMN))))
            box.blockSignals(False)

    def column_mapping(self) -> dict[Target, int]:
        """The mapping the column boxes show."""
        mapping = {}
        for target, box in self.column_boxes.items():
            index = box.currentData()
            if index is not None and index != _NO_COLUMN:
                mapping[target] = int(index)
        return mapping

    # Preview

    def deck_name(self) -> str:
        return self.deck_box.currentText().strip()

    def _refresh_preview(self) -> None:
        mapping = self.column_mapping()
        if self.table is not None:
            self.rows = table_rows(self.table, mapping) if Target.SENTENCE in mapping else []
        elif self.file_edit.text():
            self.rows = plain_text_rows(self.text)
        else:
            self.rows = []
        assert self.mw.col is not None
        self.plan = preview_import(self.mw.col, self.rows, self.deck_name())
        statuses = {row.line_number: "add" for row in self.plan.to_add}
        statuses.update({row.line_number: "duplicate: skipped" for row in self.plan.duplicates})
        statuses.update({item.row.line_number: f"not imported: {item.reason.value}" for item in self.plan.rejected})
        shown = self.rows[:PREVIEW_ROW_LIMIT]
        self.preview.setRowCount(len(shown))
        for index, row in enumerate(shown):
            cells = (str(row.line_number), statuses.get(row.line_number, ""), row.sentence, row.translation, row.hint,
                     " ".join(row.tags))
            for column, value in enumerate(cells):
                self.preview.setItem(index, column, QTableWidgetItem(value))
        self.summary_label.setText(self.preview_summary())
        assert self.import_button is not None
        self.import_button.setEnabled(bool(self.plan.to_add) and bool(self.deck_name()))

    def preview_summary(self) -> str:
        more = f" (preview shows the first {PREVIEW_ROW_LIMIT} lines)" if len(self.rows) > PREVIEW_ROW_LIMIT else ""
        return (f"{len(self.plan.to_add)} to add, {len(self.plan.duplicates)} duplicate(s) skipped, "
                f"{len(self.plan.rejected)} not imported{more}.")

    # Import

    def import_now(self) -> None:
        """Import what the preview shows, in the background, as one undoable step."""
        assert self.mw.col is not None
        if any(row.hint for row in self.plan.to_add) and lacks_hint_field(self.mw.col):
            try:
                self.mw.col.mod_schema(check=True)
            except AbortSchemaModification:
                return
        options = ImportOptions(deck_name=self.deck_name(), reference_audio=self.audio_check.isChecked())
        rows = list(self.rows)
        assert self.import_button is not None
        self.import_button.setEnabled(False)
        on_progress = progress_on_main(self.mw, "Adding sentence")
        CollectionOp(self, lambda col: import_rows(col, rows, options, on_progress)) \
            .success(self._imported).failure(self._failed).run_in_background()

    def _imported(self, report: ImportReport) -> None:
        self.last_report = report
        self.accept()
        show_report(self.mw, report.summary(), needs_attention=bool(report.rejected))

    def _failed(self, error: Exception) -> None:
        log.error("import failed", exc_info=error)
        showWarning(f"The sentences could not be imported: {error}", parent=self, title=REPORT_TITLE)
        self._refresh_preview()


def open_import_dialog(mw: AnkiQt) -> ImportSentencesDialog:
    """Show the import dialog (not modal) and return it."""
    dialog = ImportSentencesDialog(mw)
    dialog.show()
    return dialog
