"""What a follow-up visit records (随访记录) and what classifying it decides.

Plain dataclasses: `backend` builds a `FollowUpVisit` from the console or the resident's
questionnaire, and stores each `ProgrammeOutcome` as a row whose `next_followup_on` the daily
due-scan reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class FollowUpInputError(ValueError):
    """A visit or history that cannot be classified; the message names the field and why."""


@dataclass(frozen=True)
class ProgrammeFindings:
    """What the family doctor found for one programme at this visit."""

    adverse_reactions: tuple[str, ...] = ()  # 药物不良反应, in the resident's or doctor's words
    adverse_reaction_uncontrolled: bool = False  # the doctor judges it 难以控制
    complications: frozenset[str] = frozenset()  # codes of new or worsened 并发症
    medication_changed: bool = False  # this programme's medicines changed at this visit


@dataclass(frozen=True)
class FollowUpVisit:
    """One face-to-face (or reviewed remote) follow-up of one resident, for one or both
    programmes. `readings` use the names of policy.yaml (systolic, fasting_glucose, …)."""

    visited_on: dt.date
    age: int  # whole years on the visit date
    programmes: Mapping[str, ProgrammeFindings]
    readings: Mapping[str, float] = field(default_factory=dict)
    symptoms: frozenset[str] = frozenset()  # codes from the programme files
    flags: frozenset[str] = frozenset()  # pregnant_or_breastfeeding, …


class PreviousFollowUp(Protocol):
    """The last counted follow-up of the same programme (a stored `ProgrammeOutcome`)."""

    visited_on: dt.date
    control_satisfied: bool
    adverse_reaction: bool


class PastFollowUp(Protocol):
    """A follow-up in a resident's history, as the schedule needs it."""

    visited_on: dt.date
    next_followup_on: dt.date
    next_followup_rule: str
    referral: str | None


@dataclass(frozen=True)
class Decision:
    """One rule of the standard that applied, with the facts that made it apply (its basis)."""

    rule: str  # a rule id of the programme file, or an emergency criterion id
    says: str  # the standard's words
    basis: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeOutcome:
    """The classification of one programme at one visit (此次随访分类 and 下次随访日期)."""

    programme: str
    visited_on: dt.date
    follow_up_class: str  # satisfactory | unsatisfactory | adverse_reaction | complication
    class_name: str  # 控制满意 …
    control_satisfied: bool
    control_target: str  # the target id that judged control
    adverse_reaction: bool
    findings: tuple[str, ...]  # every class that applied, most serious first
    emergencies: tuple[Decision, ...]  # the 危急情况 found
    decisions: tuple[Decision, ...]  # every consequence that applied
    referral: str | None  # "urgent" (紧急转诊), "routine" (建议转诊) or None
    next_followup_on: dt.date
    next_followup_rule: str  # the rule that set the date
    source: str  # edition and section of the standard


@dataclass(frozen=True)
class FollowUpResult:
    """A whole visit: one outcome per programme; the resident's next visit is the earliest."""

    visited_on: dt.date
    outcomes: dict[str, ProgrammeOutcome]
    urgent_referral: bool
    next_followup_on: dt.date
    next_followup_rule: str  # "<programme>:<rule>"
