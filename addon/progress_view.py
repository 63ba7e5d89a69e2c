"""The progress window: per deck, scores over time as a plot, the words needing work, and the cards to practise.

Painted with plain Qt (no plotting library ships with Anki). The numbers come from :mod:`history`'s
pure summaries; "Practise these cards" opens Anki's browser on the cards tagged as needing work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aqt.qt import (
    QAbstractItemView,
    QColor,
    QComboBox,
    QDialog,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPainter,
    QPaintEvent,
    QPen,
    QPointF,
    QPushButton,
    QRectF,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from aqt.theme import theme_manager

from .history import HistoryEntry, deck_names, deck_progress, word_tallies

ALL_DECKS = "All decks"
LEFT, TOP, RIGHT, BOTTOM = 64.0, 16.0, 48.0, 58.0  # room for the last time label
TIME_TICKS = 5

BrowseCallback = Callable[[str], None]


def time_ticks(first: datetime, last: datetime, count: int = TIME_TICKS) -> list[datetime]:
    """``count`` evenly spaced times from ``first`` to ``last`` (one when they are the same)."""
    if last <= first:
        return [first]
    step = (last - first) / (count - 1)
    return [first + step * index for index in range(count)]


def tick_format(first: datetime, last: datetime) -> str:
    """Times within a day by the hour, within a year by day and month, else with the year."""
    span = last - first
    if span < timedelta(minutes=10):
        return "%H:%M:%S"
    if span <= timedelta(days=1) and first.date() == last.date():
        return "%H:%M"
    return "%d %b" if first.year == last.year else "%d %b %Y"


class ScoreChart(QWidget):
    """Scores (0–100) against time, one point per assessment, joined by a line, with titled axes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[datetime, float]] = []
        self.setMinimumSize(560, 320)

    def set_points(self, points: list[tuple[datetime, float]]) -> None:
        self.points = points
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        night = theme_manager.night_mode
        text_colour = QColor("#dddddd" if night else "#333333")
        grid_colour = QColor("#555555" if night else "#d0d0d0")
        line_colour = QColor("#64b5f6" if night else "#1565c0")
        plot = QRectF(LEFT, TOP, self.width() - LEFT - RIGHT, self.height() - TOP - BOTTOM)
        for score in (0, 25, 50, 75, 100):
            y = plot.bottom() - plot.height() * score / 100
            painter.setPen(QPen(grid_colour, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_colour)
            painter.drawText(QRectF(LEFT - 36, y - 8, 30, 16), Qt.AlignmentFlag.AlignRight, str(score))
        self._axis_titles(painter, plot, text_colour)
        if not self.points:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No assessments yet")
            return
        first, last = self.points[0][0], self.points[-1][0]
        span = (last - first).total_seconds() or 1.0

        def x_of(when: datetime) -> float:
            share = (when - first).total_seconds() / span if last > first else 0.5
            return plot.left() + plot.width() * share

        positions = [QPointF(x_of(when), plot.bottom() - plot.height() * score / 100) for when, score in self.points]
        painter.setPen(QPen(line_colour, 2))
        # (not itertools.pairwise or zip(strict=): both need Python 3.10, and Anki 25.02 runs add-ons on 3.9)
        for start, end in zip(positions, positions[1:]):  # noqa: RUF007, B905
            painter.drawLine(start, end)
        painter.setBrush(line_colour)
        for point in positions:
            painter.drawEllipse(point, 3.5, 3.5)
        painter.setPen(text_colour)
        date_format = tick_format(first, last)
        previous_label = ""
        for tick in time_ticks(first, last):
            label = tick.strftime(date_format)
            if label == previous_label:  # two ticks within one unit of the format: label once
                continue
            previous_label = label
            x = x_of(tick)
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            painter.drawText(QRectF(x - 50, plot.bottom() + 6, 100, 16), Qt.AlignmentFlag.AlignHCenter, label)

    def _axis_titles(self, painter: QPainter, plot: QRectF, colour: QColor) -> None:
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(QRectF(plot.left(), plot.bottom() + 26, plot.width(), 18), Qt.AlignmentFlag.AlignHCenter,
                         "Date of the assessment")
        painter.save()
        painter.translate(14, plot.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-plot.height() / 2, -9, plot.height(), 18), Qt.AlignmentFlag.AlignHCenter,
                         "Score (0–100)")
        painter.restore()
        font.setBold(False)
        painter.setFont(font)


class ProgressDialog(QDialog):
    def __init__(self, parent: QWidget, entries: list[HistoryEntry], browse: BrowseCallback,
                 sentence_field: str = "Sentence") -> None:
        super().__init__(parent)
        self.setWindowTitle("Pronunciation Coach — progress")
        self.resize(960, 560)
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
        self.chart.set_points(points)
        if points:
            recent = [score for _, score in points[-5:]]
            self.summary.setText(f"{len(points)} assessment{'s' if len(points) != 1 else ''} · average of the last "
                                 f"{len(recent)}: {sum(recent) / len(recent):.0f}/100")
        else:
            self.summary.setText("No assessments yet: record yourself on a card to start.")
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
