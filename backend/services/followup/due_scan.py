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
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, literal, null, select, text, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.extensions import db
from backend.models import (
    AdminAlert,
    FollowUpTask,
    ProgrammeEnrolment,
    StaffUser,
    TaskStatus,
)
from backend.models.types import UTCDateTime
from backend.timeutil import CLINIC_TZ, utcnow
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
    """Walk the enrolments in id ranges (keyset over the primary key, one short transaction
    each). A task already past the escalation cutoff when it opens is escalated as it is
    written, so a district's first scan does not write its oldest tasks twice."""
    policy = default_rules().policy
    horizon = today + timedelta(days=policy.due_soon_days)
    cutoff = today - timedelta(days=policy.escalate_overdue_days)
    now = utcnow()
    opened, escalated, cancelled, batches = 0, 0, 0, 0
    low, high = db.session.execute(select(func.min(ProgrammeEnrolment.id),
                                          func.max(ProgrammeEnrolment.id))).one()
    if low is not None:
        for start in range(low, high + 1, batch):
            _relax_commit_wait()
            new, late = _open_tasks(start, start + batch, horizon, cutoff, now)
            cancelled += _cancel_ended(start, start + batch, now)
            db.session.commit()
            opened, escalated, batches = opened + new, escalated + late, batches + 1
    escalated += _escalate_open(cutoff, now)
    _alert_centres(today, cutoff, now, policy.escalate_overdue_days)
    db.session.commit()
    summary = ScanSummary(opened, cancelled, escalated, batches)
    log.info("follow-up due-scan done", extra={"today": today.isoformat(), **summary.__dict__})
    return summary


def _relax_commit_wait() -> None:
    """A batch's commit need not wait for its WAL flush: a batch lost in a crash is opened
    again by the next run (the scan is idempotent), and nothing else reads it meanwhile. Saves
    a disk flush per batch; the database stays consistent either way."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _open_tasks(first_id: int, end_id: int, horizon: date, cutoff: date,
                now) -> tuple[int, int]:
    """Open the due tasks of one id range; (tasks opened, of which escalated), counted in the
    database (a district's first scan opens about a million: no row comes back to Python).

    The NOT EXISTS skips the tasks opened on earlier days without a conflict check per row
    (most due enrolments already have theirs); ON CONFLICT still guards two scans at once."""
    dialect = db.engine.dialect.name
    new_id = (func.gen_random_uuid() if dialect == "postgresql"
              else func.lower(func.hex(func.randomblob(16))))
    stamp = literal(now, UTCDateTime)
    escalated_at = type_coerce(case((ProgrammeEnrolment.next_due_on < cutoff, stamp),
                                    else_=null()), UTCDateTime)  # no SQL CAST (SQLite: a number)
    already = select(FollowUpTask.id).where(  # the range lets it read one index range
        FollowUpTask.enrolment_id == ProgrammeEnrolment.id,
        FollowUpTask.due_on == ProgrammeEnrolment.next_due_on,
        FollowUpTask.enrolment_id >= first_id, FollowUpTask.enrolment_id < end_id)
    due = select(
        ProgrammeEnrolment.id, ProgrammeEnrolment.doctor_id, ProgrammeEnrolment.next_due_on,
        ProgrammeEnrolment.next_due_rule, literal(TaskStatus.OPEN.value), escalated_at, new_id,
        stamp, stamp,
    ).where(ProgrammeEnrolment.id >= first_id, ProgrammeEnrolment.id < end_id,
            ProgrammeEnrolment.ended_on.is_(None), ProgrammeEnrolment.next_due_on <= horizon,
            ~already.exists())
    columns = ["enrolment_id", "doctor_id", "due_on", "due_rule", "status", "escalated_at",
               "external_id", "created_at", "updated_at"]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        FollowUpTask).from_select(columns, due).on_conflict_do_nothing(
        index_elements=["enrolment_id", "due_on"]).returning(FollowUpTask.escalated_at)
    if dialect != "postgresql":  # SQLite (the demo) has no INSERT … RETURNING in a CTE
        late = [at for (at,) in db.session.execute(statement)]
        return len(late), sum(1 for at in late if at is not None)
    inserted = statement.cte("inserted")
    opened, escalated = db.session.execute(select(
        func.count(), func.count(inserted.c.escalated_at))).one()
    return opened, escalated


def _cancel_ended(first_id: int, end_id: int, now: datetime) -> int:
    """Tasks of enrolments in the id range that have ended are no longer owed. The ended
    enrolments come first, from their own partial index (usually none in a range, and then
    the tasks are not read at all); their open tasks are then found by enrolment."""
    ended = list(db.session.execute(select(ProgrammeEnrolment.id).where(
        ProgrammeEnrolment.id >= first_id, ProgrammeEnrolment.id < end_id,
        ProgrammeEnrolment.ended_on.is_not(None))).scalars())
    if not ended:
        return 0
    return db.session.execute(update(FollowUpTask).where(
        FollowUpTask.status == TaskStatus.OPEN.value, FollowUpTask.enrolment_id.in_(ended),
    ).values(status=TaskStatus.CANCELLED.value, closed_at=now)).rowcount


def _escalate_open(cutoff: date, now) -> int:
    """Mark tasks opened on earlier days that are now more than the policy's days past their
    date (the partial index holds only open, unescalated tasks)."""
    return db.session.execute(update(FollowUpTask).where(
        FollowUpTask.status == TaskStatus.OPEN.value, FollowUpTask.escalated_at.is_(None),
        FollowUpTask.due_on < cutoff).values(escalated_at=now)).rowcount


def _alert_centres(today: date, cutoff: date, now: datetime, days: int) -> None:
    """Tell each centre's admins how many of its doctors' open follow-ups were escalated on the
    day this scan runs (one alert per centre and day). Counted from the rows, not from this
    run, so a scan that crashed after escalating still alerts when it is run again."""
    day_began = datetime.combine(now.astimezone(CLINIC_TZ).date(), time.min, CLINIC_TZ)
    subject = f"followup-overdue:{today.isoformat()}"
    alerted = select(AdminAlert.organization_id).where(AdminAlert.kind == "followup_overdue",
                                                       AdminAlert.subject_id == subject)
    by_centre = db.session.execute(
        select(StaffUser.organization_id, func.count()).select_from(FollowUpTask)
        .join(StaffUser, StaffUser.id == FollowUpTask.doctor_id)
        .where(FollowUpTask.status == TaskStatus.OPEN.value, FollowUpTask.due_on < cutoff,
               FollowUpTask.escalated_at >= day_began,
               StaffUser.organization_id.not_in(alerted))
        .group_by(StaffUser.organization_id).order_by(StaffUser.organization_id)).all()
    for organization_id, count in by_centre:
        db.session.add(AdminAlert(
            organization_id=organization_id, kind="followup_overdue", subject_id=subject,
            message=f"有{count}位居民的慢病随访已超过预约日期{days}天仍未完成，"
                    "请督促责任医生尽快随访。"))
    if by_centre:
        log.warning("overdue follow-ups escalated",
                    extra={"centres": len(by_centre), "tasks": sum(c for _, c in by_centre)})
