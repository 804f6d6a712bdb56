"""Geometry for the dashboard's server-made SVG charts (templates/console/chart_*.svg.html).

Only numbers here — the template writes the SVG with presentation attributes (the strict
CSP forbids style attributes) and the page shows the same figures in a table. Widths
are in viewBox units; the SVG scales to its box.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BAR_WIDTH = 560
LABEL_WIDTH = 150
ROW = 30
BAR_HEIGHT = 20
VALUE_ROOM = 50  # for the count after the longest bar

TREND_WIDTH = 560
TREND_HEIGHT = 240
TREND_LEFT, TREND_BOTTOM, TREND_TOP = 40, 40, 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def bar_chart(rows: list[tuple[str, int]]) -> BarChart:
    """Horizontal bars, one row per (label, value), scaled to the largest value."""
    top = max((v for _, v in rows), default=0) or 1
    room = BAR_WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for i, (label, value) in enumerate(rows):
        width = round(room * value / top, 1)
        y = i * ROW + (ROW - BAR_HEIGHT) / 2
        bars.append(Bar(label, value, y, width, LABEL_WIDTH + width + 6, y + BAR_HEIGHT / 2 + 5))
    return BarChart(BAR_WIDTH, max(ROW, len(rows) * ROW), LABEL_WIDTH, BAR_HEIGHT, tuple(bars))


@dataclass(frozen=True)
class TrendWeek:
    label: str  # 9/21
    filed: int
    completed: int
    filed_x: float
    filed_y: float
    filed_h: float
    done_x: float
    done_y: float
    done_h: float
    label_x: float


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    base_y: float
    bar_width: float
    ticks: tuple[tuple[int, float], ...]  # (value, y) for the grid lines
    weeks: tuple[TrendWeek, ...]


def _ticks(top: int) -> list[int]:
    """Grid values 0, step, ... up to at least ``top``: at most four steps of 1, 2 or 5 × 10ⁿ."""
    steps = (m * 10**e for e in range(12) for m in (1, 2, 5))
    step = next(s for s in steps if -(-top // s) <= 4)
    return list(range(0, step * max(1, -(-top // step)) + 1, step))


def trend_chart(weeks: list[tuple[date, int, int]]) -> TrendChart:
    """Filed and completed side by side for each week (oldest first)."""
    top = max((max(f, c) for _, f, c in weeks), default=0)
    ticks = _ticks(top)
    scale_top = ticks[-1] or 1
    base = TREND_HEIGHT - TREND_BOTTOM
    usable = base - TREND_TOP
    slot = (TREND_WIDTH - TREND_LEFT - 8) / max(1, len(weeks))
    bar = slot * 0.34
    out = []
    for i, (start, filed, completed) in enumerate(weeks):
        x = TREND_LEFT + i * slot + slot * 0.14
        fh = usable * filed / scale_top
        ch = usable * completed / scale_top
        out.append(
            TrendWeek(
                label=f"{start.month}/{start.day}",
                filed=filed,
                completed=completed,
                filed_x=round(x, 1),
                filed_y=round(base - fh, 1),
                filed_h=round(fh, 1),
                done_x=round(x + bar + 2, 1),
                done_y=round(base - ch, 1),
                done_h=round(ch, 1),
                label_x=round(x + bar + 1, 1),
            )
        )
    grid = tuple((t, round(base - usable * t / scale_top, 1)) for t in ticks)
    return TrendChart(TREND_WIDTH, TREND_HEIGHT, TREND_LEFT, base, round(bar, 1), grid, tuple(out))
