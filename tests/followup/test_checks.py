"""HbA1c check intervals and dose times, from the data file and the resident's plan."""

from __future__ import annotations

import datetime as dt

from followup.checks import check_rules, dose_window, doses_due, hba1c_due

PLAN = {"medications": [{"name": "二甲双胍", "dose": "0.5g", "times": ["07:30", "19:30"]}]}


def test_hba1c_interval_follows_the_guideline_and_a_personal_target():
    last = dt.date(2026, 8, 31)
    assert hba1c_due(last, 7.4, dt.date(2025, 1, 1)).due_on == dt.date(2026, 11, 30)
    assert hba1c_due(last, 6.9, dt.date(2025, 1, 1)).due_on == dt.date(2027, 2, 28)
    assert hba1c_due(last, 6.9, dt.date(2025, 1, 1), personal_target=6.5).due_on == \
        dt.date(2026, 11, 30)
    first = hba1c_due(None, None, dt.date(2025, 1, 1))
    assert first.due_on == dt.date(2025, 1, 1) and "还没有" in first.why
    assert "中国2型糖尿病防治指南（2020年版）" in check_rules().hba1c.source


def test_doses_in_the_window_and_never_across_midnight():
    assert [d.at for d in doses_due(PLAN, dt.time(7, 0), dt.time(7, 30))] == ["07:30"]
    assert doses_due(PLAN, dt.time(7, 30), dt.time(8, 0)) == []
    tz = dt.timezone(dt.timedelta(hours=8))
    assert dose_window(dt.datetime(2026, 12, 5, 0, 10, tzinfo=tz)) == (dt.time(0, 0),
                                                                      dt.time(0, 10))
    assert dose_window(dt.datetime(2026, 12, 5, 0, 0, tzinfo=tz)) is None
