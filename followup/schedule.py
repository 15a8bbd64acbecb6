"""Where a resident stands in one programme's follow-up schedule on a given day.

The daily due-scan in `backend` does the same in SQL over stored `next_followup_on` rows; this
is the reference it is tested against and what the console shows for one resident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from followup.dates import one_year_before, quarter_end, quarter_start
from followup.records import FollowUpInputError, PastFollowUp
from followup.rules import FollowUpRules, default_rules

FIRST_FOLLOWUP = "first_followup"  # the rule named when nobody has followed the resident up yet


class ScheduleState(StrEnum):
    OVERDUE = "overdue"  # the follow-up date has passed with no visit
    REFERRAL_CHECK_DUE = "referral_check_due"  # referred; 2周内主动随访转诊情况 not yet done
    DUE = "due"  # the follow-up date is within the policy's due_soon_days
    COMPLETED_THIS_QUARTER = "completed_this_quarter"  # followed up this quarter, next not due
    SCHEDULED = "scheduled"  # not yet due, no follow-up yet this quarter


@dataclass(frozen=True)
class ScheduleStatus:
    programme: str
    state: ScheduleState
    next_due_on: dt.date
    due_rule: str  # the rule that set next_due_on
    days_overdue: int
    last_visit_on: dt.date | None
    completed_this_quarter: bool
    quarter_ends_on: dt.date
    visits_last_12_months: int
    min_followups_per_year: int
    meets_yearly_minimum: bool | None  # None until enrolled a full year


def schedule_status(programme_id: str, enrolled_on: dt.date, history: Sequence[PastFollowUp],
                    today: dt.date, rules: FollowUpRules | None = None) -> ScheduleStatus:
    """The schedule of one programme from its follow-up history. With no follow-up yet the first
    one is due on the day of enrolment (建档即首次随访)."""
    rules = rules or default_rules()
    programme = rules.programme(programme_id)
    if enrolled_on > today:
        raise FollowUpInputError(f"enrolled_on: {enrolled_on} is after today ({today})")
    future = [v.visited_on for v in history if v.visited_on > today]
    if future:
        raise FollowUpInputError(f"history: follow-up on {min(future)} is after today ({today})")
    visits = sorted(history, key=lambda v: v.visited_on)
    last = visits[-1] if visits else None
    next_due, due_rule = ((last.next_followup_on, last.next_followup_rule) if last
                          else (enrolled_on, FIRST_FOLLOWUP))
    this_quarter = quarter_start(today)
    completed = bool(last) and last.visited_on >= this_quarter
    year_ago = one_year_before(today)
    recent = sum(1 for v in visits if v.visited_on > year_ago)
    if today > next_due:
        state = ScheduleState.OVERDUE
    elif last is not None and last.referral is not None:
        state = ScheduleState.REFERRAL_CHECK_DUE
    elif (next_due - today).days <= rules.policy.due_soon_days:
        state = ScheduleState.DUE
    elif completed:
        state = ScheduleState.COMPLETED_THIS_QUARTER
    else:
        state = ScheduleState.SCHEDULED
    return ScheduleStatus(
        programme=programme.id, state=state, next_due_on=next_due, due_rule=due_rule,
        days_overdue=max(0, (today - next_due).days),
        last_visit_on=last.visited_on if last else None,
        completed_this_quarter=completed, quarter_ends_on=quarter_end(today),
        visits_last_12_months=recent, min_followups_per_year=programme.min_followups_per_year,
        meets_yearly_minimum=(recent >= programme.min_followups_per_year
                              if enrolled_on <= year_ago else None))
