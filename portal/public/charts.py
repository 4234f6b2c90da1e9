"""Turning raw counts into what the transparency page shows: suppressed cells and bar charts.

A count from fewer than k reports is shown as "<k" and drawn without a bar, so its true size
cannot be read off the chart either; medians and shares over fewer than k cases are withheld.
"""

import textwrap
from dataclasses import dataclass
from typing import Any

# A chart is drawn for the width it gets: bars are percentages of it and the text keeps its
# own size (no viewBox scaling it down on a phone). Each label stands above its bar, wrapped
# into lines short enough for a 360 px screen, so no name is ever cut.
LABEL_CHARS = 30  # characters per label line: fits beside the number at 14 px on 320 px
LINE = 18  # px between label lines (14 px text)
BAR = 14  # px height of a bar
GAP = 12  # px after each bar


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str  # the number as printed: "12" or "<5"
    percent: float  # share of the chart's width; 0 when suppressed
    y: int  # top of the row, in px
    lines: tuple[str, ...] = ()  # the label, wrapped

    @property
    def bar_y(self) -> int:
        return self.y + len(self.lines) * LINE + 4


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    height: int


def shown(n: int, k: int) -> str:
    """A count as published: suppressed below k (zero singles nobody out)."""
    return f"<{k}" if 0 < n < k else str(n)


def wrap(label: str) -> tuple[str, ...]:
    """A label in lines of at most LABEL_CHARS characters; long words are split, none lost."""
    return tuple(textwrap.wrap(label, LABEL_CHARS, break_on_hyphens=False)) or ("",)


def chart(title: str, rows: list[tuple[str, int]], k: int) -> Chart:
    """A horizontal bar chart of labelled counts, each label above its bar."""
    top = max([n for _l, n in rows if n >= k] or [1])
    bars, y = [], 0
    for label, n in rows:
        lines = wrap(label)
        percent = 0.0 if n < k else max(0.5, round(100 * n / top, 1))
        bars.append(Bar(label=label, shown=shown(n, k), percent=percent, y=y, lines=lines))
        y += len(lines) * LINE + 4 + BAR + GAP
    return Chart(title=title, bars=tuple(bars), height=max(LINE, y))


def share(part: int, whole: int, k: int) -> str | None:
    """A percentage, withheld when the whole is from fewer than k cases."""
    if whole < k:
        return None
    return f"{round(100 * part / whole)}%"


def duration(median: tuple[int | None, int], k: int) -> dict[str, Any] | None:
    """A median duration as hours or days, withheld below k cases."""
    hours, count = median
    if hours is None or count < k:
        return None
    if hours < 72:
        return {"hours": max(hours, 0)}
    return {"days": hours // 24}
