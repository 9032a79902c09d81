"""Geometry of the server-side SVG charts; the templates draw them and print their tables."""

from __future__ import annotations

from dataclasses import dataclass

from bot.record.views import MonthCount

WIDTH = 640
BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 200
PLOT_HEIGHT = 160


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    series: list[str]  # CSS classes of the series, in the order of ``bars`` within a group
    axis_max: int


def _nice_max(value: int) -> int:
    """A round number at least ``value`` for the axis (1, 2, 5, 10, 20, 50...)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return max(step * m, 1)
        step *= 10


def bars_chart(rows: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one per (label, value): poll options, answer-time buckets."""
    top = _nice_max(max((v for _, v in rows), default=0))
    span = WIDTH - LABEL_WIDTH - 60
    bars = [
        Bar(label, value, LABEL_WIDTH, GAP + i * (BAR_HEIGHT + GAP), span * value / top, BAR_HEIGHT)
        for i, (label, value) in enumerate(rows)
    ]
    return Chart(WIDTH, GAP + len(rows) * (BAR_HEIGHT + GAP), bars, ["bar"], top)


def months_chart(months: list[MonthCount]) -> Chart:
    """Vertical pairs of bars per month: raised, then answered."""
    top = _nice_max(max((max(m.raised, m.answered) for m in months), default=0))
    slot = (WIDTH - 40) / max(len(months), 1)
    width = max(min(slot / 2 - 2, 24), 1)
    bars = []
    for i, m in enumerate(months):
        for j, value in enumerate((m.raised, m.answered)):
            height = PLOT_HEIGHT * value / top
            bars.append(Bar(m.month, value, 40 + i * slot + j * (width + 1), 10 + PLOT_HEIGHT - height,
                            width, height))
    return Chart(WIDTH, PLOT_HEIGHT + 40, bars, ["raised", "answered"], top)
