"""The progress window: per deck, scores over time as a plot, and the words most often mispronounced.

Painted with plain Qt (no plotting library ships with Anki). The numbers come from
:mod:`history`'s pure summaries.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from aqt.qt import (
    QColor,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPainter,
    QPaintEvent,
    QPen,
    QPointF,
    QRectF,
    Qt,
    QVBoxLayout,
    QWidget,
)
from aqt.theme import theme_manager

from .history import HistoryEntry, deck_names, deck_progress, most_mispronounced

ALL_DECKS = "All decks"
MARGIN = 36.0


class ScoreChart(QWidget):
    """Scores (0–100) against time, one point per assessment, joined by a line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[datetime, float]] = []
        self.setMinimumSize(460, 240)

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
        plot = QRectF(MARGIN, MARGIN / 2, self.width() - 1.5 * MARGIN, self.height() - 1.5 * MARGIN)
        painter.setPen(QPen(grid_colour, 1))
        for score in (0, 50, 100):
            y = plot.bottom() - plot.height() * score / 100
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_colour)
            painter.drawText(QRectF(0, y - 8, MARGIN - 6, 16), Qt.AlignmentFlag.AlignRight, str(score))
            painter.setPen(QPen(grid_colour, 1))
        if not self.points:
            painter.setPen(text_colour)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No assessments yet")
            return
        first, last = self.points[0][0], self.points[-1][0]
        span = (last - first).total_seconds() or 1.0

        def position(when: datetime, score: float) -> QPointF:
            x = plot.left() + plot.width() * ((when - first).total_seconds() / span if len(self.points) > 1 else 0.5)
            return QPointF(x, plot.bottom() - plot.height() * score / 100)

        positions = [position(when, score) for when, score in self.points]
        painter.setPen(QPen(line_colour, 2))
        for start, end in pairwise(positions):
            painter.drawLine(start, end)
        painter.setBrush(line_colour)
        for point in positions:
            painter.drawEllipse(point, 3.5, 3.5)
        painter.setPen(text_colour)
        label_y = plot.bottom() + 4
        date_format = "%H:%M" if first.date() == last.date() else "%Y-%m-%d"
        painter.drawText(QRectF(plot.left(), label_y, 120, 16), Qt.AlignmentFlag.AlignLeft,
                         first.strftime(date_format))
        painter.drawText(QRectF(plot.right() - 120, label_y, 120, 16), Qt.AlignmentFlag.AlignRight,
                         last.strftime(date_format))


class ProgressDialog(QDialog):
    def __init__(self, parent: QWidget, entries: list[HistoryEntry]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pronunciation Coach — progress")
        self.entries = entries
        self.deck_choice = QComboBox()
        self.deck_choice.addItems([ALL_DECKS, *deck_names(entries)])
        self.chart = ScoreChart()
        self.summary = QLabel()
        self.words = QListWidget()
        self.words.setMaximumWidth(220)
        side = QVBoxLayout()
        side.addWidget(QLabel("Most often mispronounced"))
        side.addWidget(self.words)
        body = QHBoxLayout()
        body.addWidget(self.chart, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(self.deck_choice)
        layout.addWidget(self.summary)
        layout.addLayout(body)
        self.deck_choice.currentTextChanged.connect(self.show_deck)
        self.show_deck(ALL_DECKS)

    def show_deck(self, choice: str) -> None:
        deck = None if choice == ALL_DECKS else choice
        points = deck_progress(self.entries, deck)
        self.chart.set_points(points)
        if points:
            recent = [score for _, score in points[-5:]]
            self.summary.setText(f"{len(points)} assessments · average of the last {len(recent)}: "
                                 f"{sum(recent) / len(recent):.0f}/100")
        else:
            self.summary.setText("No assessments yet: record yourself on a card to start.")
        self.words.clear()
        self.words.addItems([f"{word} — {count}×" for word, count in most_mispronounced(self.entries, deck)])
