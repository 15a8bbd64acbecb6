"""Where a resident stands in the schedule: due, overdue, referral check due, done this quarter.

Histories are built by classifying real visits, as the console will store them."""

from __future__ import annotations

import datetime as dt

import pytest

from followup import FollowUpInputError, ScheduleState, schedule_status

from .support import DM, HT, hypertension_visit

D = dt.date
ENROLLED = D(2025, 6, 1)


def status(history, today, enrolled=ENROLLED, programme=HT):
    return schedule_status(programme, enrolled, history, today)


def test_a_new_enrolee_is_due_on_the_day_of_enrolment():
    result = status([], D(2026, 3, 2), enrolled=D(2026, 3, 2))
    assert (result.state, result.next_due_on, result.due_rule) == (
        ScheduleState.DUE, D(2026, 3, 2), "first_followup")
    assert result.meets_yearly_minimum is None and result.last_visit_on is None


def test_a_new_enrolee_not_seen_for_ten_days_is_overdue():
    result = status([], D(2026, 3, 12), enrolled=D(2026, 3, 2))
    assert (result.state, result.days_overdue) == (ScheduleState.OVERDUE, 10)


SATISFIED_JAN = [(D(2026, 1, 10), 128, 80)]  # next follow-up 10 April
REFERRED_MAR = [(D(2026, 2, 1), 150, 95), (D(2026, 3, 1), 152, 96)]  # referral, check by 15 March
ROWS = [
    ("一月随访达标，二月看：本季度已随访", SATISFIED_JAN, D(2026, 2, 20),
     ScheduleState.COMPLETED_THIS_QUARTER, D(2026, 4, 10)),
    ("四月二日：下次随访还有8天，新季度未随访", SATISFIED_JAN, D(2026, 4, 2),
     ScheduleState.SCHEDULED, D(2026, 4, 10)),
    ("四月三日：7天内到期", SATISFIED_JAN, D(2026, 4, 3), ScheduleState.DUE, D(2026, 4, 10)),
    ("四月十日：今天到期", SATISFIED_JAN, D(2026, 4, 10), ScheduleState.DUE, D(2026, 4, 10)),
    ("四月十一日：逾期一天", SATISFIED_JAN, D(2026, 4, 11), ScheduleState.OVERDUE, D(2026, 4, 10)),
    ("首次不达标后第9天：2周随访到期", [(D(2026, 3, 1), 146, 88)], D(2026, 3, 9),
     ScheduleState.DUE, D(2026, 3, 15)),
    ("连续两次不达标已转诊：待随访转诊情况", REFERRED_MAR, D(2026, 3, 5),
     ScheduleState.REFERRAL_CHECK_DUE, D(2026, 3, 15)),
    ("转诊后第14天：仍在期限内", REFERRED_MAR, D(2026, 3, 15),
     ScheduleState.REFERRAL_CHECK_DUE, D(2026, 3, 15)),
    ("转诊后两周未随访：逾期", REFERRED_MAR, D(2026, 3, 16), ScheduleState.OVERDUE,
     D(2026, 3, 15)),
    ("转诊后已随访且达标：本季度已随访", [*REFERRED_MAR, (D(2026, 3, 12), 132, 82)],
     D(2026, 3, 20), ScheduleState.COMPLETED_THIS_QUARTER, D(2026, 6, 12)),
    ("危急情况紧急转诊：待随访转诊情况", [(D(2026, 3, 1), 186, 104)], D(2026, 3, 2),
     ScheduleState.REFERRAL_CHECK_DUE, D(2026, 3, 15)),
]


def history_of(visits):
    outcomes, previous = [], None
    for day, systolic, diastolic in visits:
        previous = hypertension_visit(day, systolic, diastolic, previous=previous)
        outcomes.append(previous)
    return outcomes


@pytest.mark.parametrize(("story", "visits", "today", "state", "next_due"), ROWS,
                         ids=[r[0] for r in ROWS])
def test_schedule_state(story, visits, today, state, next_due):
    result = status(history_of(visits), today)
    assert (result.state, result.next_due_on) == (state, next_due)
    assert result.last_visit_on == max(day for day, _, _ in visits)


def test_the_history_need_not_be_in_order():
    history = history_of(REFERRED_MAR)
    assert status(list(reversed(history)), D(2026, 3, 5)).state == ScheduleState.REFERRAL_CHECK_DUE


def test_quarter_end_is_reported():
    assert status(history_of(SATISFIED_JAN), D(2026, 2, 20)).quarter_ends_on == D(2026, 3, 31)
    assert status(history_of(SATISFIED_JAN), D(2026, 11, 2)).quarter_ends_on == D(2026, 12, 31)


@pytest.mark.parametrize(("visit_days", "meets"), [
    ([D(2025, 4, 1), D(2025, 7, 1), D(2025, 10, 1), D(2026, 1, 2)], True),
    ([D(2025, 3, 1), D(2025, 7, 1), D(2025, 10, 1), D(2026, 1, 2)], False),  # one is 13 months old
    ([D(2025, 7, 1), D(2025, 10, 1), D(2026, 1, 2)], False),
])
def test_at_least_four_follow_ups_in_the_last_twelve_months(visit_days, meets):
    history = history_of([(day, 130, 80) for day in visit_days])
    result = status(history, D(2026, 3, 20), enrolled=D(2024, 1, 1))
    assert result.meets_yearly_minimum is meets
    assert result.visits_last_12_months == sum(d > D(2025, 3, 20) for d in visit_days)


def test_a_resident_seen_on_every_date_given_meets_four_a_year():
    outcomes, previous, day = [], None, D(2025, 1, 15)
    readings = iter([(128, 80), (146, 90), (132, 84), (150, 92), (152, 96), (136, 84)] * 4)
    while day <= D(2026, 1, 15):
        systolic, diastolic = next(readings)
        previous = hypertension_visit(day, systolic, diastolic, previous=previous)
        outcomes.append(previous)
        day = previous.next_followup_on
    result = status(outcomes, D(2026, 1, 15), enrolled=D(2025, 1, 15))
    assert result.meets_yearly_minimum is True and result.state != ScheduleState.OVERDUE


def test_programmes_are_scheduled_separately_with_their_own_minimum():
    result = schedule_status(DM, D(2026, 1, 5), [], D(2026, 1, 5))
    assert (result.programme, result.min_followups_per_year) == (DM, 4)


@pytest.mark.parametrize(("enrolled", "history", "field"), [
    (D(2026, 4, 1), [], "enrolled_on"),
    (D(2025, 1, 1), [(D(2026, 3, 21), 130, 80)], "history"),
])
def test_impossible_dates_are_refused(enrolled, history, field):
    with pytest.raises(FollowUpInputError, match=f"^{field}:"):
        status(history_of(history), D(2026, 3, 20), enrolled=enrolled)
