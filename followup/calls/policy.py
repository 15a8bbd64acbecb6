"""When the caller may ring and when it tries again (`data/call_policy.yaml`).

Pure functions of the policy and a time: `next_window_start` keeps every call inside the allowed
hours, `after_attempt` spaces retries by what happened (busy, no answer, voicemail…), and
`reschedule_at` honours a resident's "明天下午再打".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

DATA_DIR = Path(__file__).parent / "data"


class CallPolicyError(ValueError):
    """The policy file is malformed; the message names the entry."""


class Disposition(StrEnum):
    """How one attempt ended, as the telephony gateway reports it."""

    ANSWERED = "answered"  # a person answered (the dialogue says how the talk ended)
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    FAILED = "failed"  # the line or the provider failed
    DROPPED = "dropped"  # answered, then cut off before the questions were done


@dataclass(frozen=True)
class Window:
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class RetryRule:
    after: dt.timedelta
    max_attempts: int


@dataclass(frozen=True)
class CallPolicy:
    source: str
    timezone: ZoneInfo
    windows: tuple[Window, ...]
    retries: dict[Disposition, RetryRule]
    ring_seconds: int
    periods: dict[str, dt.time]
    max_reschedule_days: int
    retention_days: int

    def allows(self, moment: dt.datetime) -> bool:
        """A call may start at this (aware) moment."""
        local = moment.astimezone(self.timezone).time()
        return any(w.start <= local < w.end for w in self.windows)

    def next_window_start(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself when calls are allowed then, else the start of the next window."""
        if self.allows(moment):
            return moment
        local = moment.astimezone(self.timezone)
        for day in range(0, 8):
            date = local.date() + dt.timedelta(days=day)
            for window in self.windows:
                start = dt.datetime.combine(date, window.start, self.timezone)
                if start > local:
                    return start.astimezone(dt.UTC)
        raise CallPolicyError("no dialling window in the coming week")

    def after_attempt(self, disposition: Disposition, attempts: int,
                      moment: dt.datetime) -> dt.datetime | None:
        """When to try again after attempt number `attempts` ended so, or None when the
        retries of that kind are used up (the doctor follows up instead)."""
        rule = self.retries.get(disposition)
        if rule is None or attempts >= rule.max_attempts:
            return None
        return self.next_window_start(moment + rule.after)

    def reschedule_at(self, day_offset: int | None, period: str | None,
                      moment: dt.datetime) -> dt.datetime:
        """The moment a resident asked for: that day (today when not said) at the period's time
        (the next window when not said), never before `moment`, never past the limit."""
        local = moment.astimezone(self.timezone)
        days = min(day_offset if day_offset is not None else 0, self.max_reschedule_days)
        date = local.date() + dt.timedelta(days=days)
        if period is not None:
            wanted = dt.datetime.combine(date, self.periods[period], self.timezone)
        elif days:
            wanted = dt.datetime.combine(date, self.windows[0].start, self.timezone)
        else:
            wanted = local + dt.timedelta(hours=2)  # "晚点再打": a later window today
        wanted = max(wanted, local + dt.timedelta(minutes=30))
        return self.next_window_start(wanted.astimezone(dt.UTC))


def _time(value: object, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise CallPolicyError(f"{where}: {value!r} is not a time like 09:00") from exc


def _positive(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise CallPolicyError(f"{where}: must be a positive whole number")
    return value


def parse_policy(data: dict) -> CallPolicy:
    try:
        windows = tuple(Window(_time(w["start"], f"windows[{i}].start"),
                               _time(w["end"], f"windows[{i}].end"))
                        for i, w in enumerate(data["windows"]))
        if not windows or any(w.start >= w.end for w in windows):
            raise CallPolicyError("windows: each must end after it starts")
        if list(windows) != sorted(windows, key=lambda w: w.start):
            raise CallPolicyError("windows: list them in the order of the day")
        retries = {}
        for name, rule in data["retries"].items():
            try:
                kind = Disposition(name)
            except ValueError as exc:
                raise CallPolicyError(f"retries.{name}: not a call outcome") from exc
            retries[kind] = RetryRule(
                dt.timedelta(minutes=_positive(rule["after_minutes"], f"retries.{name}")),
                _positive(rule["max_attempts"], f"retries.{name}.max_attempts"))
        periods = {name: _time(value, f"periods.{name}")
                   for name, value in data["periods"].items()}
        missing = {"morning", "noon", "afternoon", "evening"} - set(periods)
        if missing:
            raise CallPolicyError(f"periods: missing {sorted(missing)}")
        return CallPolicy(
            source=str(data["source"]), timezone=ZoneInfo(data["timezone"]), windows=windows,
            retries=retries, ring_seconds=_positive(data["ring_seconds"], "ring_seconds"),
            periods=periods,
            max_reschedule_days=_positive(data["max_reschedule_days"], "max_reschedule_days"),
            retention_days=_positive(data["retention_days"], "retention_days"))
    except KeyError as exc:
        raise CallPolicyError(f"call policy: missing {exc.args[0]!r}") from exc


def load_policy(path: Path = DATA_DIR / "call_policy.yaml") -> CallPolicy:
    return parse_policy(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def default_policy() -> CallPolicy:
    return load_policy()
