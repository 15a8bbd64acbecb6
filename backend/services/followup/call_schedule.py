"""Which follow-ups are owed by phone and when to ring: one `FollowUpCall` row per resident on
the AI channel and open follow-up date, scanned by the dispatcher like every due row.

Set-based and safe to run twice: calls are unique per resident and date, a worker claims one
with a conditional UPDATE (status and time) and a lease, and a call whose worker died goes back
to the queue when its lease runs out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import JSON, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.extensions import db
from backend.models import (
    CallAttempt,
    CallState,
    FollowUpCall,
    FollowUpChannel,
    FollowUpTask,
    ProgrammeEnrolment,
    Resident,
    TaskStatus,
)
from backend.models.types import UTCDateTime
from followup.calls.policy import CallPolicy

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=20)
# Tasks the caller already handed to the doctor (a red flag, a record to confirm, a wrong
# number…) carry a due_rule starting so: the caller does not ring about them again.
AI_CALL_RULES = "ai_call_"  # longer than any call (the dialogue ends on its own well before)


def open_calls(now: datetime) -> int:
    """A call for every resident on the AI channel with an open follow-up task and a phone
    number (one per resident and earliest open due date), unless the caller already gave that
    follow-up to the doctor."""
    dialect = db.engine.dialect.name
    new_id = (func.gen_random_uuid() if dialect == "postgresql"
              else func.lower(func.hex(func.randomblob(16))))
    stamp = literal(now, UTCDateTime)
    owed = select(
        Resident.id, func.min(FollowUpTask.due_on), literal(CallState.SCHEDULED.value), stamp,
        literal(0), literal({}, JSON), new_id, stamp, stamp,
    ).select_from(FollowUpTask).join(
        ProgrammeEnrolment, ProgrammeEnrolment.id == FollowUpTask.enrolment_id).join(
        Resident, Resident.id == ProgrammeEnrolment.resident_id).where(
        FollowUpTask.status == TaskStatus.OPEN.value,
        FollowUpTask.due_rule.not_like(f"{AI_CALL_RULES}%"),
        Resident.followup_channel == FollowUpChannel.AI_CALL.value,
        Resident.phone.is_not(None)).group_by(Resident.id)
    columns = ["resident_id", "due_on", "status", "next_attempt_at", "attempts", "failures",
               "external_id", "created_at", "updated_at"]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        FollowUpCall).from_select(columns, owed).on_conflict_do_nothing(
        index_elements=["resident_id", "due_on"])
    opened = db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount
    db.session.commit()
    return opened


def recover_stale(now: datetime) -> int:
    """Calls whose worker vanished mid-call: the attempt is closed as failed and the call
    waits for its next try."""
    stale = db.session.execute(select(FollowUpCall).where(
        FollowUpCall.status == CallState.DIALLING.value,
        FollowUpCall.lease_until < now)).scalars().all()
    for call in stale:
        for attempt in call.attempt_rows:
            if attempt.ended_at is None:
                attempt.ended_at, attempt.disposition = now, "failed"
                attempt.cause = "worker lost"
        call.status, call.lease_until, call.next_attempt_at = (
            CallState.SCHEDULED.value, None, now)
    db.session.commit()
    if stale:
        log.warning("follow-up calls recovered from a lost worker", extra={"calls": len(stale)})
    return len(stale)


def due_call_ids(now: datetime, policy: CallPolicy, limit: int) -> list[int]:
    """Calls to place now (none outside the dialling windows)."""
    if not policy.allows(now):
        return []
    return list(db.session.execute(select(FollowUpCall.id).where(
        FollowUpCall.status == CallState.SCHEDULED.value,
        FollowUpCall.next_attempt_at <= now).order_by(
        FollowUpCall.next_attempt_at, FollowUpCall.id).limit(limit)).scalars())


def claim(call_id: int, now: datetime, provider: str) -> CallAttempt | None:
    """Take the call for this worker and open its next attempt, or None when another worker
    has it, it is not due, or its follow-up was done meanwhile (then it is cancelled)."""
    taken = db.session.execute(update(FollowUpCall).where(
        FollowUpCall.id == call_id, FollowUpCall.status == CallState.SCHEDULED.value,
        FollowUpCall.next_attempt_at <= now).values(
        status=CallState.DIALLING.value, lease_until=now + LEASE,
        attempts=FollowUpCall.attempts + 1, updated_at=now)).rowcount
    if not taken:
        db.session.rollback()
        return None
    call = db.session.get(FollowUpCall, call_id)
    if not still_owed(call):
        call.status, call.lease_until = CallState.CANCELLED.value, None
        db.session.commit()
        log.info("follow-up call no longer owed", extra={"call": str(call.external_id)})
        return None
    attempt = CallAttempt(call_id=call.id, number=call.attempts, provider=provider,
                          started_at=now)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def still_owed(call: FollowUpCall) -> bool:
    return db.session.execute(select(func.count()).select_from(FollowUpTask).join(
        ProgrammeEnrolment, ProgrammeEnrolment.id == FollowUpTask.enrolment_id).where(
        ProgrammeEnrolment.resident_id == call.resident_id,
        FollowUpTask.status == TaskStatus.OPEN.value)).scalar_one() > 0
