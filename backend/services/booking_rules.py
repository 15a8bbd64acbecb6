"""A hospital's booking rules (预约规则): defaults here, overrides in `Organization.booking_rules`.

The checks are pure functions of the rules and the facts, so they are tested without a database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from backend.timeutil import age_on

RULE_LIMITS = {"hold_minutes": (1, 60), "max_active_bookings": (1, 20),
               "cancel_cutoff_minutes": (0, 7 * 24 * 60), "no_show_limit": (1, 20),
               "no_show_window_days": (1, 365), "suspension_days": (0, 365),
               "check_in_opens_minutes": (0, 24 * 60), "check_in_closes_minutes": (0, 24 * 60)}


@dataclass(frozen=True)
class BookingRules:
    hold_minutes: int = 15  # an unpaid hold returns to the pool after this long
    max_active_bookings: int = 3  # per 就诊人, across departments
    cancel_cutoff_minutes: int = 120  # cancel with a full refund until this long before the slot
    no_show_limit: int = 3  # this many no-shows…
    no_show_window_days: int = 90  # …within this many days…
    suspension_days: int = 30  # …suspend online booking for this long
    check_in_opens_minutes: int = 60  # 签到 from this long before the slot starts…
    check_in_closes_minutes: int = 30  # …until this long after it started

    @classmethod
    def merged(cls, base: BookingRules, overrides: dict[str, Any] | None) -> BookingRules:
        """`base` with a hospital's overrides; unknown or out-of-range values are ignored here
        (they are refused when an admin saves them, see `validate_overrides`)."""
        known = {f.name for f in fields(cls)}
        clean = {k: v for k, v in (overrides or {}).items()
                 if k in known and not validate_overrides({k: v})}
        return replace(base, **clean)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def validate_overrides(overrides: dict[str, Any]) -> dict[str, str]:
    """Field → Chinese message for every bad override; empty when all are acceptable."""
    errors = {}
    for key, value in overrides.items():
        if key not in RULE_LIMITS:
            errors[key] = "没有这条规则。"
            continue
        low, high = RULE_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = f"应为 {low} 到 {high} 之间的整数。"
    return errors


def suspended_until(no_show_dates: list[date], today: date, rules: BookingRules) -> date | None:
    """The last day of a suspension in force today, if any.

    A suspension starts on the day of the no-show that makes `no_show_limit` within
    `no_show_window_days` and lasts `suspension_days`.
    """
    dates = sorted(no_show_dates)
    window = timedelta(days=rules.no_show_window_days - 1)
    latest_end = None
    for index in range(rules.no_show_limit - 1, len(dates)):
        if dates[index] - dates[index - rules.no_show_limit + 1] <= window:
            end = dates[index] + timedelta(days=rules.suspension_days)
            latest_end = max(latest_end, end) if latest_end else end
    return latest_end if latest_end and today < latest_end else None


def department_refusal(min_age: int | None, max_age: int | None, sex_limit: str | None,
                       birth_date: date, sex: str, today: date) -> str | None:
    """Why this person cannot be booked into the department (paediatrics, gynaecology…)."""
    age = age_on(birth_date, today)
    if max_age is not None and age > max_age:
        return f"这个科室只看{max_age}岁及以下的患者，请选择其他科室。"
    if min_age is not None and age < min_age:
        return f"这个科室只看{min_age}岁及以上的患者，请选择其他科室。"
    if sex_limit and sex_limit != sex:
        return "这个科室只接诊女性患者。" if sex_limit == "female" else "这个科室只接诊男性患者。"
    return None


def can_cancel(slot_start: datetime, now: datetime, rules: BookingRules) -> bool:
    return now <= slot_start - timedelta(minutes=rules.cancel_cutoff_minutes)


def cancel_deadline(slot_start: datetime, rules: BookingRules) -> datetime:
    return slot_start - timedelta(minutes=rules.cancel_cutoff_minutes)


def check_in_window(slot_start: datetime, rules: BookingRules) -> tuple[datetime, datetime]:
    return (slot_start - timedelta(minutes=rules.check_in_opens_minutes),
            slot_start + timedelta(minutes=rules.check_in_closes_minutes))
