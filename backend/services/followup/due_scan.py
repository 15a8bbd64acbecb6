"""The daily due-scan: open a follow-up task for every enrolment whose next follow-up is near,
assigned to its responsible doctor, and escalate tasks left open too long.

Set-based SQL in batches of enrolment ids, one short transaction each, so a district's millions
of rows never hold long locks (bookings go on meanwhile). Safe to run twice, or to resume after
a crash: a task is unique per enrolment and due date, and `INSERT … ON CONFLICT DO NOTHING`
skips those already opened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.extensions import db
from backend.models import (
    AdminAlert,
    FollowUpTask,
    ProgrammeEnrolment,
    Resident,
    TaskStatus,
)
from backend.models.types import UTCDateTime
from backend.timeutil import utcnow
from followup import default_rules

log = logging.getLogger(__name__)
BATCH = 50_000  # enrolment ids per statement


@dataclass(frozen=True)
class ScanSummary:
    tasks_opened: int
    tasks_cancelled: int
    tasks_escalated: int
    batches: int


def scan(today: date, batch: int = BATCH) -> ScanSummary:
    policy = default_rules().policy
    horizon = today + timedelta(days=policy.due_soon_days)
    opened, batches = 0, 0
    low, high = db.session.execute(select(func.min(ProgrammeEnrolment.id),
                                          func.max(ProgrammeEnrolment.id))).one()
    if low is not None:
        for start in range(low, high + 1, batch):
            opened += _open_tasks(start, start + batch, horizon)
            db.session.commit()
            batches += 1
    cancelled = _cancel_ended()
    db.session.commit()
    escalated = _escalate(today, policy.escalate_overdue_days)
    db.session.commit()
    summary = ScanSummary(opened, cancelled, escalated, batches)
    log.info("follow-up due-scan done", extra={"today": today.isoformat(), **summary.__dict__})
    return summary


def _open_tasks(first_id: int, end_id: int, horizon: date) -> int:
    now = literal(utcnow(), UTCDateTime)
    dialect = db.engine.dialect.name
    new_id = (func.gen_random_uuid() if dialect == "postgresql"
              else func.lower(func.hex(func.randomblob(16))))
    due = select(
        ProgrammeEnrolment.id, ProgrammeEnrolment.doctor_id, ProgrammeEnrolment.next_due_on,
        ProgrammeEnrolment.next_due_rule, literal(TaskStatus.OPEN.value), new_id, now, now,
    ).where(ProgrammeEnrolment.id >= first_id, ProgrammeEnrolment.id < end_id,
            ProgrammeEnrolment.ended_on.is_(None), ProgrammeEnrolment.next_due_on <= horizon)
    columns = ["enrolment_id", "doctor_id", "due_on", "due_rule", "status", "external_id",
               "created_at", "updated_at"]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        FollowUpTask).from_select(columns, due).on_conflict_do_nothing(
        index_elements=["enrolment_id", "due_on"])
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def _cancel_ended() -> int:
    """Tasks of enrolments that have ended are no longer owed."""
    ended = select(ProgrammeEnrolment.id).where(ProgrammeEnrolment.ended_on.is_not(None))
    return db.session.execute(update(FollowUpTask).where(
        FollowUpTask.status == TaskStatus.OPEN.value, FollowUpTask.enrolment_id.in_(ended)
    ).values(status=TaskStatus.CANCELLED.value, closed_at=utcnow())).rowcount


def _escalate(today: date, days: int) -> int:
    """Mark tasks open more than `days` past their date, and tell each centre's admins how
    many (one alert per centre and scan; a second scan finds them already escalated)."""
    cutoff = today - timedelta(days=days)
    late = (FollowUpTask.status == TaskStatus.OPEN.value, FollowUpTask.escalated_at.is_(None),
            FollowUpTask.due_on < cutoff)
    by_centre = db.session.execute(
        select(Resident.organization_id, func.count()).select_from(FollowUpTask)
        .join(ProgrammeEnrolment, ProgrammeEnrolment.id == FollowUpTask.enrolment_id)
        .join(Resident, Resident.id == ProgrammeEnrolment.resident_id)
        .where(*late).group_by(Resident.organization_id)).all()
    if not by_centre:
        return 0
    escalated = db.session.execute(update(FollowUpTask).where(*late).values(
        escalated_at=utcnow())).rowcount
    for organization_id, count in by_centre:
        db.session.add(AdminAlert(
            organization_id=organization_id, kind="followup_overdue",
            subject_id=f"followup-overdue:{today.isoformat()}",
            message=f"有{count}位居民的慢病随访已超过预约日期{days}天仍未完成，"
                    "请督促责任医生尽快随访。"))
    log.warning("overdue follow-ups escalated", extra={"tasks": escalated})
    return escalated
