"""When a resident is reminded of a check (糖化血红蛋白复查) and of their medicines (服药提醒),
from the intervals in `data/check_reminders.yaml` and the resident's own plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from followup.dates import add_interval
from followup.rules import Interval, RulesError

CHECKS_FILE = Path(__file__).resolve().parent / "data" / "check_reminders.yaml"


@dataclass(frozen=True)
class Hba1cRule:
    programme: str
    name: str
    target_below: float
    every_months_at_target: int
    every_months_above_target: int
    source: str


@dataclass(frozen=True)
class CheckRules:
    edition: str
    effective: dt.date
    source: str
    hba1c: Hba1cRule
    medication_late_minutes: int


@dataclass(frozen=True)
class CheckDue:
    due_on: dt.date
    why: str


@dataclass(frozen=True)
class DoseDue:
    at: str  # "07:30", China time
    medicines: tuple[str, ...]  # "氨氯地平 5mg", …


def hba1c_due(last_on: dt.date | None, last_value: float | None, enrolled_on: dt.date,
              personal_target: float | None = None, rules: CheckRules | None = None
              ) -> CheckDue:
    """The next HbA1c: 6 months after one at target, 3 after one above it; never measured since
    enrolment: due at enrolment."""
    rule = (rules or check_rules()).hba1c
    if last_on is None or last_value is None:
        return CheckDue(enrolled_on, f"纳入管理后还没有{rule.name}结果")
    target = personal_target if personal_target is not None else rule.target_below
    months = (rule.every_months_at_target if last_value < target
              else rule.every_months_above_target)
    return CheckDue(add_interval(last_on, Interval(months=months)),
                    f"上次{rule.name}{last_value:g}%（{last_on}），目标<{target:g}%，"
                    f"每{months}个月复查；{rule.source}")


def doses_due(plan: Mapping[str, Any], after: dt.time, until: dt.time) -> list[DoseDue]:
    """The plan's dose times in (after, until] of one day, medicines grouped by time."""
    by_time: dict[str, list[str]] = {}
    for medicine in plan.get("medications", ()):
        for at in medicine.get("times", ()):
            moment = dt.time.fromisoformat(at)
            if after < moment <= until:
                by_time.setdefault(at, []).append(f"{medicine['name']} {medicine['dose']}")
    return [DoseDue(at, tuple(names)) for at, names in sorted(by_time.items())]


def dose_window(now: dt.datetime, rules: CheckRules | None = None
                ) -> tuple[dt.time, dt.time] | None:
    """The dose times a run at `now` (China time) may still remind: up to the late limit back,
    never across midnight (a run every few minutes, deduplicated per dose, misses none)."""
    start = now - dt.timedelta(minutes=(rules or check_rules()).medication_late_minutes)
    if start.date() != now.date():
        start = dt.datetime.combine(now.date(), dt.time.min, now.tzinfo)
    if start >= now:
        return None
    return start.time(), now.time()


@cache
def check_rules(path: Path = CHECKS_FILE) -> CheckRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        hba1c = data["hba1c"]
        rule = Hba1cRule(str(hba1c["programme"]), str(hba1c["name"]),
                         float(hba1c["target_below"]), int(hba1c["every_months_at_target"]),
                         int(hba1c["every_months_above_target"]), str(hba1c["source"]))
        if not 1 <= rule.every_months_above_target <= rule.every_months_at_target <= 12:
            raise RulesError(f"{path.name}: hba1c: intervals must be 1–12 months, above ≤ at")
        late = int(data["medication"]["late_by_minutes_at_most"])
        if not 5 <= late <= 120:
            raise RulesError(f"{path.name}: medication.late_by_minutes_at_most: 5–120")
        return CheckRules(str(data["edition"]), data["effective"], str(data["source"]), rule,
                          late)
    except (KeyError, TypeError, ValueError) as error:
        raise RulesError(f"{path.name}: missing or malformed {error}") from error
