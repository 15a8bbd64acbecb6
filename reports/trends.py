"""One test across reports: the values in the test's own unit, the reference band, direction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# A change smaller than this share of the first value is "stable" (not a clinical threshold:
# only the word shown above the chart).
STABLE_SHARE = 0.10


@dataclass(frozen=True)
class Point:
    when: datetime
    value: float
    flag: str | None
    report_id: str


@dataclass(frozen=True)
class Trend:
    code: str
    name: str
    unit: str
    points: tuple[Point, ...]
    band_low: float | None
    band_high: float | None
    direction: str  # "rising" | "falling" | "stable" | "single"
    words: str


_WORDS = {"rising": "最近几次结果在上升。", "falling": "最近几次结果在下降。",
          "stable": "最近几次结果变化不大。", "single": "目前只有一次结果，以后复查就能看到变化。"}


def trend(code: str, name: str, unit: str, points: list[Point], band_low: float | None,
          band_high: float | None) -> Trend:
    ordered = tuple(sorted(points, key=lambda p: p.when))
    if len(ordered) < 2:
        direction = "single"
    else:
        first, last = ordered[0].value, ordered[-1].value
        scale = abs(first) if first else 1.0
        change = (last - first) / scale
        direction = "stable" if abs(change) < STABLE_SHARE else \
            ("rising" if change > 0 else "falling")
    return Trend(code, name, unit, ordered, band_low, band_high, direction, _WORDS[direction])
