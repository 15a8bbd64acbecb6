"""Follow-up reminders to residents: one before the follow-up date (when its task opens) and
one once it is overdue, each by the channel the resident's consent and reachability allow
(`followup.channels`): a mini-program subscribe message through the patient outbox, or an SMS
or AI phone call through `FollowUpContact`. Nobody reachable: the task stays with the doctor.

Set-based, like the due-scan: the channel is a CASE built from the channels file, one INSERT …
SELECT per kind and channel, deduplicated per resident, due date and kind across both outboxes,
so two programmes due the same day make one reminder and a second run adds none (even after a
used-up subscribe grant would now point to SMS).
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import (
    JSON,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from backend.extensions import db
from backend.models import (
    FollowUpContact,
    FollowUpTask,
    Organization,
    PatientMessage,
    PatientProfile,
    ProgrammeEnrolment,
    Resident,
    TaskStatus,
)
from backend.models.types import UTCDateTime
from backend.services.followup.contacts import available_channels
from backend.services.followup.reach import miniprogram_consent
from backend.timeutil import utcnow
from followup.channels import REMINDER_KINDS, channel_rules

log = logging.getLogger(__name__)
PAGE = "followup/pages/vitals/index"
NOTES = {"followup_due": "请按约到社区随访，带上药盒。",
         "followup_overdue": "随访已过期，请尽快联系家庭医生。"}
NOBODY = "doctor"  # no channel: the responsible doctor reaches the resident


def queue_reminders(today: date) -> dict[str, dict[str, int]]:
    """{kind: {channel: reminders queued}}, with NOBODY for residents no channel reaches."""
    counts = {kind: _queue(kind, today) for kind in REMINDER_KINDS}
    db.session.commit()
    log.info("follow-up reminders queued", extra={"counts": counts})
    return counts


def _chosen(kind: str, today: date):
    """One row per resident and due date still owed this reminder, with its channel."""
    when = FollowUpTask.due_on >= today if kind == "followup_due" else FollowUpTask.due_on < today
    key = (literal(f"{kind}:") + cast(Resident.id, String) + literal(":")
           + cast(FollowUpTask.due_on, String))
    facts = {
        "miniprogram_consent": miniprogram_consent(PatientProfile.account_id),
        "phone_reachable": and_(Resident.phone.is_not(None),
                                Resident.phone_unreachable_at.is_(None)),
        "sms_consent": Resident.sms_consented_at.is_not(None),
        "call_consent": Resident.call_consented_at.is_not(None),
    }
    rules, available = channel_rules(), available_channels(kind)
    branches = [(and_(*(facts[need] for need in rules.channels[channel].needs)),
                 literal(channel)) for channel in rules.order[kind] if channel in available]
    channel = case(*branches, else_=null()) if branches else null()
    queued = [exists(select(table.id).where(table.dedupe_key == key))
              for table in (PatientMessage, FollowUpContact)]
    return select(
        key.label("key"), Resident.id.label("resident_id"),
        func.min(FollowUpTask.id).label("task_id"),
        PatientProfile.account_id.label("account_id"), channel.label("channel"),
    ).select_from(FollowUpTask).join(
        ProgrammeEnrolment, ProgrammeEnrolment.id == FollowUpTask.enrolment_id).join(
        Resident, Resident.id == ProgrammeEnrolment.resident_id).outerjoin(
        PatientProfile, and_(PatientProfile.id == Resident.patient_id,
                             PatientProfile.archived_at.is_(None))).where(
        FollowUpTask.status == TaskStatus.OPEN.value, when, ~queued[0], ~queued[1]).group_by(
        Resident.id, FollowUpTask.due_on, PatientProfile.account_id).subquery()


def _queue(kind: str, today: date) -> dict[str, int]:
    dialect = db.engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new_id = (func.gen_random_uuid() if dialect == "postgresql"
              else func.lower(func.hex(func.randomblob(16))))
    now = literal(utcnow(), UTCDateTime)
    chosen = _chosen(kind, today)
    counts = {channel or NOBODY: count for channel, count in db.session.execute(
        select(chosen.c.channel, func.count()).group_by(chosen.c.channel)).all()}
    to_app = select(chosen.c.key, chosen.c.account_id, chosen.c.task_id, literal(kind),
                    literal("pending"), literal({}, JSON), literal(0), new_id, now, now
                    ).where(chosen.c.channel == "miniprogram")
    db.session.execute(insert(PatientMessage).from_select(
        ["dedupe_key", "account_id", "followup_task_id", "kind", "status", "data", "attempts",
         "external_id", "created_at", "updated_at"], to_app).on_conflict_do_nothing(
        index_elements=["dedupe_key"]))
    by_phone = select(chosen.c.key, chosen.c.resident_id, chosen.c.task_id, literal(kind),
                      chosen.c.channel, literal("pending"), literal(0), new_id, now, now
                      ).where(chosen.c.channel.in_(("sms", "ai_call")))
    db.session.execute(insert(FollowUpContact).from_select(
        ["dedupe_key", "resident_id", "task_id", "kind", "channel", "status", "attempts",
         "external_id", "created_at", "updated_at"], by_phone).on_conflict_do_nothing(
        index_elements=["dedupe_key"]))
    return {channel: counts.get(channel, 0)
            for channel in (*channel_rules().order[kind], NOBODY)}


def fields(message: PatientMessage) -> dict[str, dict[str, str]]:
    """Who, which centre, when, what to do: no readings or diagnosis on a lock screen."""
    task = db.session.get(FollowUpTask, message.followup_task_id)
    resident = task.enrolment.resident
    centre = db.session.get(Organization, resident.organization_id)
    values = {"thing1": resident.name, "thing2": centre.name[:20],
              "time3": task.due_on.isoformat(), "thing4": NOTES[message.kind][:20]}
    return {key: {"value": value} for key, value in values.items()}
