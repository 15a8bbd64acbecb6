"""The family doctor's side of AI follow-up calls: read what a resident's calls heard (an audited
read of their voice's words) and confirm a record the caller made (待医生确认 → counted)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.models import CallAttempt, FollowUpCall, FollowUpRecord
from backend.services import audit
from backend.services.access import parse_id
from backend.services.followup.access import load_resident
from backend.services.followup.records import confirm_pending


def list_calls(principal: Principal, resident_external_id: Any, limit: int) -> list[dict]:
    """The resident's call attempts, newest first, with the talk while it is kept."""
    resident = load_resident(principal, resident_external_id)
    attempts = db.session.execute(select(CallAttempt).join(FollowUpCall).where(
        FollowUpCall.resident_id == resident.id).order_by(
        CallAttempt.started_at.desc(), CallAttempt.id.desc()).limit(limit)).scalars().all()
    items = [{"id": a.external_id, "due_on": a.call.due_on, "number": a.number,
              "provider": a.provider, "started_at": a.started_at, "ended_at": a.ended_at,
              "disposition": a.disposition, "outcome": a.outcome, "answers": a.answers,
              "barge_ins": a.barge_ins, "call_state": a.call.status,
              "transcript": json.loads(a.transcript) if a.transcript else None,
              "purged": a.purged_at is not None} for a in attempts]
    audit.record("followup.call.read", "resident", str(resident.external_id),
                 {"attempts": [str(a.external_id) for a in attempts]})
    db.session.commit()
    return items


def confirm(principal: Principal, record_external_id: Any) -> FollowUpRecord:
    """The doctor confirms an AI-call record: its next dates count and its tasks close."""
    record = db.session.execute(select(FollowUpRecord).where(
        FollowUpRecord.external_id == parse_id(record_external_id))).scalar_one_or_none()
    if record is None:
        raise NotFound("没有找到这条随访记录。")
    resident = load_resident(principal, record.resident.external_id)
    if record.review_status != "pending":
        raise Conflict("这条随访记录不需要确认。", code="not_pending")
    closed = confirm_pending(record)
    record.doctor_id = principal.staff_id
    audit.record("followup.record.confirm", "resident", str(resident.external_id),
                 {"record": str(record.external_id), "tasks_closed": closed})
    db.session.commit()
    return record
