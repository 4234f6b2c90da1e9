"""Turning raw counts into what the transparency page shows: suppressed cells and bar charts.

A count from fewer than k reports is shown as "<k" and drawn without a bar, so its true size
cannot be read off the chart either; medians and shares over fewer than k cases are withheld.
"""

from dataclasses import dataclass
from typing import Any

BAR_WIDTH = 300  # SVG user units of the longest bar


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str  # the number as printed: "12" or "<5"
    width: int  # SVG width; 0 when suppressed
    y: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    height: int


def shown(n: int, k: int) -> str:
    """A count as published: suppressed below k (zero singles nobody out)."""
    return f"<{k}" if 0 < n < k else str(n)


def chart(title: str, rows: list[tuple[str, int]], k: int) -> Chart:
    """A horizontal bar chart of labelled counts."""
    top = max([n for _l, n in rows if n >= k] or [1])
    bars = tuple(
        Bar(
            label=label,
            shown=shown(n, k),
            width=0 if n < k else max(1, n * BAR_WIDTH // top),
            y=i * 28,
        )
        for i, (label, n) in enumerate(rows)
    )
    return Chart(title=title, bars=bars, height=max(28, len(bars) * 28))


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
