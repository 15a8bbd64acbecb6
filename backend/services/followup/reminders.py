"""Follow-up reminders to residents through the message outbox: one before the follow-up date
(when its task opens) and one once it is overdue, to residents who use the mini-program.

Set-based, like the due-scan: one INSERT … SELECT per kind, deduplicated per resident and due
date, so two programmes due the same day make one message and a second run adds none. The
outbox job sends them, and only with the resident's subscribe-message consent (`messages.send`).
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import JSON, String, cast, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from backend.extensions import db
from backend.models import (
    FollowUpTask,
    Organization,
    PatientMessage,
    PatientProfile,
    ProgrammeEnrolment,
    Resident,
    TaskStatus,
)
from backend.models.types import UTCDateTime
from backend.timeutil import utcnow

log = logging.getLogger(__name__)
PAGE = "followup/pages/vitals/index"
NOTES = {"followup_due": "请按约到社区随访，带上药盒。",
         "followup_overdue": "随访已过期，请尽快联系家庭医生。"}


def queue_reminders(today: date) -> dict[str, int]:
    counts = {kind: _queue(kind, today) for kind in NOTES}
    db.session.commit()
    log.info("follow-up reminders queued", extra=counts)
    return counts


def _queue(kind: str, today: date) -> int:
    dialect = db.engine.dialect.name
    new_id = (func.gen_random_uuid() if dialect == "postgresql"
              else func.lower(func.hex(func.randomblob(16))))
    now = literal(utcnow(), UTCDateTime)
    when = FollowUpTask.due_on >= today if kind == "followup_due" else FollowUpTask.due_on < today
    key = (literal(f"{kind}:") + cast(Resident.id, String) + literal(":")
           + cast(FollowUpTask.due_on, String))
    rows = select(
        key, PatientProfile.account_id, func.min(FollowUpTask.id), literal(kind),
        literal("pending"), literal({}, JSON), literal(0), new_id, now, now,
    ).select_from(FollowUpTask).join(
        ProgrammeEnrolment, ProgrammeEnrolment.id == FollowUpTask.enrolment_id).join(
        Resident, Resident.id == ProgrammeEnrolment.resident_id).join(
        PatientProfile, PatientProfile.id == Resident.patient_id).where(
        FollowUpTask.status == TaskStatus.OPEN.value, when,
        PatientProfile.archived_at.is_(None)).group_by(
        Resident.id, FollowUpTask.due_on, PatientProfile.account_id)
    columns = ["dedupe_key", "account_id", "followup_task_id", "kind", "status", "data",
               "attempts", "external_id", "created_at", "updated_at"]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        PatientMessage).from_select(columns, rows).on_conflict_do_nothing(
        index_elements=["dedupe_key"])
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def fields(message: PatientMessage) -> dict[str, dict[str, str]]:
    """Who, which centre, when, what to do: no readings or diagnosis on a lock screen."""
    task = db.session.get(FollowUpTask, message.followup_task_id)
    resident = task.enrolment.resident
    centre = db.session.get(Organization, resident.organization_id)
    values = {"thing1": resident.name, "thing2": centre.name[:20],
              "time3": task.due_on.isoformat(), "thing4": NOTES[message.kind][:20]}
    return {key: {"value": value} for key, value in values.items()}
