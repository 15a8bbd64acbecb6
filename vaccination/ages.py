"""Ages and intervals as the schedule counts them: on the calendar, from the birth date.

满6月龄 is the same day of the month six months later (the last day of a shorter month when that
day does not exist), so "6m" is never 180 days. Days are days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_SPAN = re.compile(r"^(\d+)([dmy])$")


class AgeFormatError(ValueError):
    """An age or interval is not <n>d, <n>m or <n>y."""


@dataclass(frozen=True, order=True)
class Span:
    """A length of time in whole days, months or years (`6m`, `28d`, `4y`)."""

    amount: int
    unit: str  # "d" | "m" | "y"

    @classmethod
    def parse(cls, text: object) -> Span:
        match = _SPAN.match(str(text).strip())
        if not match:
            raise AgeFormatError(f"bad age or interval {text!r}: use <n>d, <n>m or <n>y")
        return cls(int(match[1]), match[2])

    def after(self, start: date) -> date:
        if self.unit == "d":
            return start + timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        year, month0 = divmod(start.month - 1 + months, 12)
        year += start.year
        day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
        return date(year, month0 + 1, day)

    def before(self, end: date) -> date:
        """The day this span before `end` (months counted back on the calendar)."""
        if self.unit == "d":
            return end - timedelta(days=self.amount)
        return Span(-self.amount, self.unit).after(end)

    def approx_days(self) -> float:
        """For ordering checks in the loader only, never for a due date."""
        return self.amount * {"d": 1, "m": 30.44, "y": 365.25}[self.unit]

    def as_age(self) -> str:
        """How the document says an age: 2月龄, 4周岁, 出生1天."""
        if self.amount == 0:
            return "出生时"
        return {"d": f"出生{self.amount}天", "m": f"{self.amount}月龄",
                "y": f"{self.amount}周岁"}[self.unit]

    def __str__(self) -> str:
        word = {"d": "天", "m": "个月", "y": "年"}[self.unit]
        return f"{self.amount}{word}"
