"""The family doctor's follow-up worklist: open tasks, most overdue first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from backend.auth import Principal
from backend.extensions import db
from backend.models import FollowUpTask, ProgrammeEnrolment, Resident, StaffRole, TaskStatus
from backend.services import audit


def open_tasks(principal: Principal, due_before: date | None, limit: int, offset: int
               ) -> tuple[list[FollowUpTask], int]:
    """A family doctor's own tasks; an admin's whole centre."""
    query = select(FollowUpTask).where(FollowUpTask.status == TaskStatus.OPEN.value)
    if principal.role == StaffRole.FAMILY_DOCTOR:
        query = query.where(FollowUpTask.doctor_id == principal.staff_id)
    else:
        centre = select(ProgrammeEnrolment.id).join(
            Resident, Resident.id == ProgrammeEnrolment.resident_id).where(
            Resident.organization_id == principal.organization_id)
        query = query.where(FollowUpTask.enrolment_id.in_(centre))
    if due_before is not None:
        query = query.where(FollowUpTask.due_on <= due_before)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(FollowUpTask.due_on, FollowUpTask.id).options(
        selectinload(FollowUpTask.enrolment).selectinload(ProgrammeEnrolment.resident),
        selectinload(FollowUpTask.doctor)).limit(limit).offset(offset)).scalars().all()
    audit.record("followup.worklist.read", "staff", principal.actor_external_id,
                 {"count": len(rows), "offset": offset})
    db.session.commit()
    return list(rows), total
