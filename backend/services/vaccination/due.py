"""Vaccination due dates as rows (`VaccinationDue.next_due_at`) that one job scans every minute.

Three kinds of row:
- `schedule`, one per child: the next reminder from the schedule — 3 days before a dose may be
  given, on the day it may be given, the day after its 适时接种 deadline (overdue). Reminders
  that fall due together go out as one message; each event's key is kept in `sent`, in the
  transaction that writes the message, so a second run sends nothing twice;
- `observation`, one per dose given at the clinic: 留观 is over, the parent may leave;
- `after_care`, one per dose given at the clinic: 24 hours later, the after-care questions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import PatientProfile, VaccinationDue, VaccinationRecord
from backend.services.deferred import commit
from backend.services.vaccination import message_content
from backend.services.vaccination.history import assessment_of
from backend.timeutil import CLINIC_TZ, as_utc, local_today, utcnow
from vaccination import Assessment, DoseState

log = logging.getLogger(__name__)

DAYS_BEFORE = 3
SEND_AT = time(9, 0)  # schedule reminders go out at 9 in the morning, clinic time
AFTER_CARE_DELAY = timedelta(hours=24)
BATCH = 500
_ACTIONABLE = (DoseState.DUE, DoseState.NOT_YET_DUE, DoseState.OVERDUE)


@dataclass(frozen=True)
class Event:
    kind: str  # vaccine_before | vaccine_due | vaccine_overdue
    key: str  # kind:series:dose:date, unique per child
    at: datetime
    series_name: str
    dose: int
    on: date  # the day the message is about (may be given from / was due by)


def _morning(day: date) -> datetime:
    return datetime.combine(day, SEND_AT, CLINIC_TZ)


def events(result: Assessment, today: date) -> list[Event]:
    """Every reminder the assessment calls for, past or future."""
    found = []
    for status in result.doses:
        if status.state not in _ACTIONABLE or status.earliest is None:
            continue
        base = (status.series_name, status.dose)
        if status.state == DoseState.OVERDUE:
            found.append(Event("vaccine_overdue", f"overdue:{status.series}:{status.dose}:"
                               f"{status.latest}", _morning(today), *base, status.latest))
            continue
        if status.state == DoseState.NOT_YET_DUE:
            before = status.earliest - timedelta(days=DAYS_BEFORE)
            found.append(Event("vaccine_before", f"before:{status.series}:{status.dose}:"
                               f"{status.earliest}", _morning(max(before, today)), *base,
                               status.earliest))
        found.append(Event("vaccine_due", f"due:{status.series}:{status.dose}:"
                           f"{status.earliest}", _morning(max(status.earliest, today)), *base,
                           status.earliest))
        if status.latest is not None:
            late = status.latest + timedelta(days=1)
            found.append(Event("vaccine_overdue", f"overdue:{status.series}:{status.dose}:"
                               f"{status.latest}", _morning(late), *base, status.latest))
    return found


def _schedule_row(child: PatientProfile) -> VaccinationDue:
    row = db.session.execute(select(VaccinationDue).where(
        VaccinationDue.patient_id == child.id, VaccinationDue.kind == "schedule")
        .with_for_update()).scalar_one_or_none()
    if row is None:
        row = VaccinationDue(patient_id=child.id, kind="schedule", sent=[])
        db.session.add(row)
    return row


def _next_time(pending: list[Event]) -> datetime | None:
    return min((e.at for e in pending), default=None)


def reschedule(child: PatientProfile) -> VaccinationDue:
    """Set the child's next schedule reminder from today's assessment (the caller commits)."""
    row = _schedule_row(child)
    sent = set(row.sent or [])
    pending = [e for e in events(assessment_of(child), local_today()) if e.key not in sent]
    row.next_due_at = _next_time(pending)
    row.done_at = None if pending else utcnow()
    db.session.flush()
    return row


def follow(child: PatientProfile) -> None:
    """Start reminders for a child whose parent or clinic has taken up vaccination, once."""
    exists = db.session.execute(select(VaccinationDue.id).where(
        VaccinationDue.patient_id == child.id, VaccinationDue.kind == "schedule")
    ).scalar_one_or_none()
    if exists is None:
        reschedule(child)


def after_dose(record: VaccinationRecord) -> None:
    """留观 and after-care rows for a dose given today at the clinic (the caller commits)."""
    db.session.add(VaccinationDue(patient_id=record.patient_id, kind="observation",
                                  record_id=record.id, next_due_at=record.observe_until,
                                  sent=[]))
    db.session.add(VaccinationDue(patient_id=record.patient_id, kind="after_care",
                                  record_id=record.id,
                                  next_due_at=record.given_at + AFTER_CARE_DELAY, sent=[]))


def due_ids(limit: int = BATCH) -> list[int]:
    return list(db.session.execute(select(VaccinationDue.id).where(
        VaccinationDue.done_at.is_(None), VaccinationDue.next_due_at <= utcnow())
        .order_by(VaccinationDue.next_due_at).limit(limit)).scalars())


def handle(due_id: int) -> str:
    """Send what one row has due; safe to run twice (the row is locked and re-read)."""
    row = db.session.execute(select(VaccinationDue).where(VaccinationDue.id == due_id)
                             .with_for_update(skip_locked=True)).scalar_one_or_none()
    now = utcnow()
    if row is None or row.done_at is not None or row.next_due_at is None \
            or as_utc(row.next_due_at) > now:
        db.session.rollback()
        return "not-due"
    child = db.session.get(PatientProfile, row.patient_id)
    if child.archived_at is not None:
        row.done_at = now
        commit()
        return "archived"
    if row.kind == "schedule":
        outcome = _remind(row, child, now)
    else:
        record = db.session.get(VaccinationRecord, row.record_id)
        message_content.notify_dose(child, record, row.kind)
        row.done_at, outcome = now, row.kind
    commit()
    log.info("vaccination due row handled", extra={"vaccination_due": due_id, "sent": outcome})
    return outcome


def _remind(row: VaccinationDue, child: PatientProfile, now: datetime) -> str:
    today = now.astimezone(CLINIC_TZ).date()
    sent = list(row.sent or [])
    ready, later = [], []
    for event in events(assessment_of(child, today), today):
        if event.key in sent:
            continue
        (ready if event.at <= now else later).append(event)
    for kind in ("vaccine_overdue", "vaccine_due", "vaccine_before"):
        told = [e for e in ready if e.kind == kind]
        if told:
            message_content.notify_schedule(child, kind, told, today)
    sent += [e.key for e in ready]
    row.sent = sent[-200:]  # the oldest keys belong to doses long given
    row.next_due_at = _next_time(later)
    row.done_at = None if later else now
    return ",".join(sorted({e.kind for e in ready})) or "nothing"
