"""A line chart of scores (0–100) over time, several series with a legend, painted with plain Qt.

No plotting library ships with Anki, so the progress view draws its own. Each series has its own
colour (one for light and one for night mode) and its own marker shape, so the lines stay apart for
colour-blind learners and in a black-and-white print; a series joins the points it has, so an
assessment without that score is a gap in one line, not a zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aqt.qt import QColor, QFont, QPainter, QPaintEvent, QPen, QPointF, QPolygonF, QRectF, Qt, QWidget
from aqt.theme import theme_manager

LEFT, TOP, RIGHT, BOTTOM = 64.0, 40.0, 48.0, 58.0  # room for the legend above and the last time label
TIME_TICKS = 5
MARKER_RADIUS = 4.0
LEGEND_GAP = 26.0


@dataclass(frozen=True)
class Series:
    """One line of the chart: its legend label, colours for light and night mode, marker and points."""

    label: str
    light: str
    dark: str
    marker: str  # "circle", "square" or "triangle"
    points: tuple[tuple[datetime, float], ...]

    def colour(self, night: bool) -> QColor:
        return QColor(self.dark if night else self.light)


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


def draw_marker(painter: QPainter, shape: str, centre: QPointF, radius: float = MARKER_RADIUS) -> None:
    """The series' marker, filled with the painter's brush."""
    if shape == "square":
        painter.drawRect(QRectF(centre.x() - radius * 0.9, centre.y() - radius * 0.9, radius * 1.8, radius * 1.8))
    elif shape == "triangle":
        painter.drawPolygon(QPolygonF([QPointF(centre.x(), centre.y() - radius * 1.15),
                                       QPointF(centre.x() + radius * 1.1, centre.y() + radius * 0.85),
                                       QPointF(centre.x() - radius * 1.1, centre.y() + radius * 0.85)]))
    else:
        painter.drawEllipse(centre, radius, radius)


class ScoreChart(QWidget):
    """Scores (0–100) against time, one point per assessment and series, with titled axes and a legend."""

    def __init__(self, parent: QWidget | None = None, y_title: str = "Score (0–100)") -> None:
        super().__init__(parent)
        self.series: list[Series] = []
        self.y_title = y_title
        self.setMinimumSize(560, 340)

    def set_series(self, series: list[Series]) -> None:
        self.series = series
        self.update()

    def _times(self) -> list[datetime]:
        return sorted(when for series in self.series for when, _ in series.points)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        night = theme_manager.night_mode
        text_colour = QColor("#dddddd" if night else "#333333")
        grid_colour = QColor("#555555" if night else "#d0d0d0")
        plot = QRectF(LEFT, TOP, self.width() - LEFT - RIGHT, self.height() - TOP - BOTTOM)
        for score in (0, 25, 50, 75, 100):
            y = plot.bottom() - plot.height() * score / 100
            painter.setPen(QPen(grid_colour, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_colour)
            painter.drawText(QRectF(LEFT - 36, y - 8, 30, 16), Qt.AlignmentFlag.AlignRight, str(score))
        self._axis_titles(painter, plot, text_colour)
        self._legend(painter, plot, night, text_colour)
        times = self._times()
        if not times:
            painter.setPen(text_colour)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No assessments yet")
            return
        first, last = times[0], times[-1]
        span = (last - first).total_seconds() or 1.0

        def x_of(when: datetime) -> float:
            share = (when - first).total_seconds() / span if last > first else 0.5
            return plot.left() + plot.width() * share

        for series in self.series:
            colour = series.colour(night)
            positions = [QPointF(x_of(when), plot.bottom() - plot.height() * score / 100)
                         for when, score in series.points]
            painter.setPen(QPen(colour, 2))
            # (not itertools.pairwise or zip(strict=): both need Python 3.10, and Anki 25.02 runs add-ons on 3.9)
            for start, end in zip(positions, positions[1:]):  # noqa: RUF007
                painter.drawLine(start, end)
            painter.setBrush(colour)
            for point in positions:
                draw_marker(painter, series.marker, point)
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

    def _legend(self, painter: QPainter, plot: QRectF, night: bool, text_colour: QColor) -> None:
        """One entry per series above the plot, left-aligned: a line with its marker, then the label; a series
        with no points says so (a deck assessed before fluency and prosody existed has none)."""
        metrics = painter.fontMetrics()
        x = plot.left()
        y = TOP / 2 - 2
        for series in self.series:
            colour = series.colour(night)
            painter.setPen(QPen(colour, 2))
            painter.drawLine(QPointF(x, y), QPointF(x + 22, y))
            painter.setBrush(colour)
            draw_marker(painter, series.marker, QPointF(x + 11, y))
            label = series.label if series.points else f"{series.label} (none yet)"
            painter.setPen(text_colour)
            width = metrics.horizontalAdvance(label)
            painter.drawText(QRectF(x + 28, y - 9, width + 4, 18), Qt.AlignmentFlag.AlignVCenter, label)
            x += 28 + width + LEGEND_GAP

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
                         self.y_title)
        painter.restore()
        font.setBold(False)
        painter.setFont(font)
