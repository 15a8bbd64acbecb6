"""Calendar arithmetic for follow-up dates: months are calendar months, quarters are calendar
quarters (the public-health reports count follow-ups per quarter)."""

from __future__ import annotations

import calendar
import datetime as dt

from followup.rules import Interval


def add_interval(day: dt.date, interval: Interval) -> dt.date:
    """`day` plus whole calendar months then days; 31 Jan + 1 month is the last day of February."""
    month_index = day.month - 1 + interval.months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day)) + dt.timedelta(days=interval.days)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    return add_interval(quarter_start(day), Interval(months=3)) - dt.timedelta(days=1)


def one_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (29 Feb → 28 Feb)."""
    last_day = calendar.monthrange(day.year - 1, day.month)[1]
    return dt.date(day.year - 1, day.month, min(day.day, last_day))
