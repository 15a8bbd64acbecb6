"""Dialling hours and retries of data/call_policy.yaml."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml

from followup.calls.policy import (
    DATA_DIR,
    CallPolicyError,
    Disposition,
    default_policy,
    parse_policy,
)

CST = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=CST)


def local(moment: dt.datetime) -> tuple[int, int, int]:
    moment = moment.astimezone(CST)
    return moment.day, moment.hour, moment.minute


def test_calls_only_inside_the_windows():
    policy = default_policy()
    assert policy.allows(at(7, 9, 0)) and policy.allows(at(7, 19, 59))
    for hour, minute in [(8, 59), (12, 0), (13, 30), (17, 45), (20, 0), (22, 0), (6, 30)]:
        assert not policy.allows(at(7, hour, minute)), (hour, minute)


def test_outside_the_windows_the_call_waits_for_the_next_one():
    policy = default_policy()
    assert local(policy.next_window_start(at(7, 12, 10))) == (7, 14, 30)
    assert local(policy.next_window_start(at(7, 21, 0))) == (8, 9, 0)
    assert policy.next_window_start(at(7, 10, 0)) == at(7, 10, 0)


def test_retries_are_spaced_by_what_happened():
    policy = default_policy()
    busy = policy.after_attempt(Disposition.BUSY, 1, at(7, 9, 30))
    assert local(busy) == (7, 10, 0)
    no_answer = policy.after_attempt(Disposition.NO_ANSWER, 1, at(7, 10, 0))
    assert local(no_answer) == (7, 14, 30)  # 13:00 falls over the midday rest
    voicemail = policy.after_attempt(Disposition.VOICEMAIL, 1, at(7, 19, 0))
    assert local(voicemail) == (8, 19, 0)


def test_retries_stop_when_used_up():
    policy = default_policy()
    assert policy.after_attempt(Disposition.NO_ANSWER, 3, at(7, 10)) is None
    assert policy.after_attempt(Disposition.VOICEMAIL, 2, at(7, 10)) is None
    assert policy.after_attempt(Disposition.ANSWERED, 1, at(7, 10)) is None


def test_a_residents_reschedule_is_kept_inside_the_windows():
    policy = default_policy()
    assert local(policy.reschedule_at(1, "afternoon", at(7, 10))) == (8, 14, 30)
    assert local(policy.reschedule_at(None, "evening", at(7, 10))) == (7, 18, 30)
    assert local(policy.reschedule_at(1, "noon", at(7, 10))) == (8, 14, 30)
    assert local(policy.reschedule_at(None, None, at(7, 19, 30))) == (8, 9, 0)
    assert local(policy.reschedule_at(60, None, at(7, 10))) == (21, 9, 0)  # at most 14 days


def test_a_broken_policy_file_is_refused_with_the_entry_named():
    data = yaml.safe_load((DATA_DIR / "call_policy.yaml").read_text(encoding="utf-8"))
    data["windows"][0]["end"] = "08:00"
    with pytest.raises(CallPolicyError, match="windows"):
        parse_policy(data)
    data = yaml.safe_load((DATA_DIR / "call_policy.yaml").read_text(encoding="utf-8"))
    data["retries"]["engaged"] = data["retries"].pop("busy")
    with pytest.raises(CallPolicyError, match=r"retries\.engaged"):
        parse_policy(data)


def test_the_policy_names_its_basis():
    assert "本院" in default_policy().source and default_policy().retention_days > 0
