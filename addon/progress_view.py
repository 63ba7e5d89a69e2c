"""The progress window: per deck, accuracy, fluency and prosody over time, the words needing work, and the
cards to practise.

A deck chooser (All decks, or one deck) rather than a panel per deck: one chart stays large enough to
read three lines, and the word list beside it follows the same choice. The numbers come from
:mod:`history`'s pure summaries and are drawn by :mod:`progress_chart`; "Practise these cards" opens
Anki's browser on the cards tagged as needing work.
"""

from __future__ import annotations

from collections.abc import Callable

from aqt.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .history import HistoryEntry, ProgressPoint, deck_names, deck_progress, recent_averages, word_tallies
from .progress_chart import ScoreChart, Series

ALL_DECKS = "All decks"

BrowseCallback = Callable[[str], None]

#: (attribute of ProgressPoint, legend label, light colour, night colour, marker): blue, orange and purple
#: stay apart for the common colour-vision deficiencies, and the markers differ too
SERIES_STYLES = (
    ("accuracy", "Accuracy", "#1565c0", "#64b5f6", "circle"),
    ("fluency", "Fluency", "#d84315", "#ffab76", "square"),
    ("prosody", "Prosody", "#6a1b9a", "#d1a3e6", "triangle"),
)


def progress_series(points: list[ProgressPoint]) -> list[Series]:
    """One chart series per score; an assessment without fluency or prosody is simply not a point of that line."""
    series = []
    for name, label, light, dark, marker in SERIES_STYLES:
        values = tuple((point.when, value) for point in points if (value := getattr(point, name)) is not None)
        series.append(Series(label, light, dark, marker, values))
    return series


def progress_summary(points: list[ProgressPoint]) -> str:
    """``12 assessments · average of the last 5: accuracy 72 · fluency 65 · prosody 70``."""
    if not points:
        return "No assessments yet: record yourself on a card to start."
    averages = recent_averages(points)
    recent = min(len(points), 5)
    parts = " · ".join(f"{name} {value:.0f}" for name, value in averages.items())
    return f"{len(points)} assessment{'s' if len(points) != 1 else ''} · average of the last {recent}: {parts}"


class ProgressDialog(QDialog):
    def __init__(self, parent: QWidget, entries: list[HistoryEntry], browse: BrowseCallback,
                 sentence_field: str = "Sentence") -> None:
        super().__init__(parent)
        self.setWindowTitle("Pronunciation Coach — progress")
        self.resize(960, 600)
        self.entries = entries
        self._browse = browse
        self._sentence_field = sentence_field
        self.deck_choice = QComboBox()
        self.deck_choice.addItems([ALL_DECKS, *deck_names(entries)])
        self.chart = ScoreChart()
        self.summary = QLabel()
        self.words = QTableWidget(0, 3)
        self.words.setHorizontalHeaderLabels(["Word", "Mispronounced", "Skipped"])
        rows, columns = self.words.verticalHeader(), self.words.horizontalHeader()
        assert rows is not None and columns is not None
        rows.setVisible(False)
        self.words.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.words.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        columns.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.words.setMinimumWidth(300)
        self.words.setToolTip("Double-click a word to see the cards whose sentence has it")
        self.words.cellDoubleClicked.connect(lambda row, _column: self.browse_word(row))
        self.practise = QPushButton("Practise the cards that need work")
        self.practise.clicked.connect(self.browse_needing_work)
        side = QVBoxLayout()
        side.addWidget(QLabel("Words that needed work"))
        side.addWidget(self.words, 1)
        side.addWidget(self.practise)
        body = QHBoxLayout()
        body.addWidget(self.chart, 1)
        body.addLayout(side)
        top = QHBoxLayout()
        top.addWidget(QLabel("Deck:"))
        top.addWidget(self.deck_choice, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        self.deck_choice.currentTextChanged.connect(self.show_deck)
        self.show_deck(ALL_DECKS)

    @property
    def deck(self) -> str | None:
        choice = self.deck_choice.currentText()
        return None if choice == ALL_DECKS else choice

    def show_deck(self, choice: str) -> None:
        deck = None if choice == ALL_DECKS else choice
        points = deck_progress(self.entries, deck)
        self.chart.set_series(progress_series(points))
        self.summary.setText(progress_summary(points))
        tallies = word_tallies(self.entries, deck)
        self.words.setRowCount(len(tallies))
        for row, tally in enumerate(tallies):
            for column, value in enumerate((tally.word, str(tally.mispronounced), str(tally.missing))):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.words.setItem(row, column, item)

    def _deck_search(self) -> str:
        return f' "deck:{self.deck}"' if self.deck else ""

    def browse_needing_work(self) -> None:
        self._browse(f"tag:pronunciation::needs-work{self._deck_search()}")

    def browse_word(self, row: int) -> None:
        item = self.words.item(row, 0)
        if item is not None:
            self._browse(f'"{self._sentence_field}:*{item.text()}*"{self._deck_search()}')
