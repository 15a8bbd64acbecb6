"""Narrowing the resident list by what their programme file says (高血压 / 2型糖尿病管理):
programme, control at the latest follow-up, an overdue follow-up, and the risk level of
分级管理. A resident without a programme file matches none of these filters.

Each filter is an EXISTS over the resident's open enrolments, so a family doctor's list (or an
admin's, capped by `residents.COUNT_CAP`) is narrowed in the database, never in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import aliased

from backend.errors import ValidationFailed
from backend.models import (
    FollowUpOutcome,
    PatientProfile,
    Programme,
    ProgrammeEnrolment,
    Resident,
)
from backend.timeutil import local_today

PROGRAMMES = {Programme.HYPERTENSION.value: "高血压", Programme.TYPE2_DIABETES.value: "2型糖尿病"}
CONTROL = {"satisfied": "控制满意", "unsatisfied": "控制不满意", "not_yet": "还没有随访记录"}
# 分级管理 follows the risk strata of 《中国高血压防治指南（2010年修订版）》基层版:
# 低危 → 一级管理, 中危 → 二级管理, 高危 → 三级管理.
RISK_LEVELS = {1: "低危（一级管理）", 2: "中危（二级管理）", 3: "高危（三级管理）"}


@dataclass
class ResidentFilters:
    doctor_id: str | None = None
    programme: str | None = None
    control: str | None = None
    overdue: bool = False
    risk_level: int | None = None

    @property
    def by_programme_file(self) -> bool:
        return bool(self.programme or self.control or self.overdue or self.risk_level)

    def as_args(self) -> dict[str, str]:
        """The query string that keeps these filters across pages."""
        args = {"doctor": self.doctor_id, "programme": self.programme, "control": self.control,
                "overdue": "1" if self.overdue else None,
                "risk": str(self.risk_level) if self.risk_level else None}
        return {k: v for k, v in args.items() if v}

    def in_use(self) -> list[str]:
        """For the audit entry: which filters, never their values."""
        return [k for k in ("doctor", "programme", "control", "overdue", "risk")
                if k in self.as_args()]


def read(args: Mapping[str, str]) -> ResidentFilters:
    """The list page's query string; an unknown value is a clear error on its field."""
    def choice(name: str, allowed) -> str | None:
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            raise ValidationFailed("请从列表里选择。", field=name)
        return value or None

    risk = choice("risk", {str(k) for k in RISK_LEVELS})
    overdue = choice("overdue", {"1"})
    return ResidentFilters(doctor_id=(args.get("doctor") or "").strip() or None,
                           programme=choice("programme", PROGRAMMES),
                           control=choice("control", CONTROL), overdue=overdue == "1",
                           risk_level=int(risk) if risk else None)


def condition(filters: ResidentFilters) -> ColumnElement[bool]:
    """The profile has a programme file with one open enrolment meeting every filter given."""
    enrolment = [ProgrammeEnrolment.resident_id == Resident.id,
                 ProgrammeEnrolment.ended_on.is_(None)]
    if filters.programme:
        enrolment.append(ProgrammeEnrolment.programme == filters.programme)
    if filters.overdue:
        enrolment.append(ProgrammeEnrolment.next_due_on < local_today())
    if filters.risk_level:
        enrolment.append(ProgrammeEnrolment.management_level == filters.risk_level)
    if filters.control:
        enrolment.append(_control(filters.control))
    return exists(select(Resident.id).where(
        Resident.patient_id == PatientProfile.id,
        exists(select(ProgrammeEnrolment.id).where(*enrolment))))


def _control(wanted: str) -> ColumnElement[bool]:
    """By the class of the enrolment's latest follow-up (此次随访分类)."""
    any_outcome = exists(select(FollowUpOutcome.id).where(
        FollowUpOutcome.enrolment_id == ProgrammeEnrolment.id))
    if wanted == "not_yet":
        return ~any_outcome
    latest, later = FollowUpOutcome, aliased(FollowUpOutcome)
    newer = exists(select(later.id).where(
        later.enrolment_id == latest.enrolment_id,
        or_(later.visited_on > latest.visited_on,
            and_(later.visited_on == latest.visited_on, later.id > latest.id))))
    return exists(select(latest.id).where(
        latest.enrolment_id == ProgrammeEnrolment.id, ~newer,
        latest.control_satisfied.is_(wanted == "satisfied")))
