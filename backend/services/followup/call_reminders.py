"""The reminder channel 'AI call' (`followup.channels`) placed by the AI caller: a reminder queued
for ai_call opens the resident's `FollowUpCall` for the task's date, and the call dispatcher
rings inside the dialling hours. The call asks the follow-up questions like every AI call, and
what it hears waits for the doctor's confirmation.

Registered in the app factory when a telephony provider is configured (`TELEPHONY_PROVIDER`);
without one the reminder queue does not offer the ai_call channel.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from backend.extensions import db
from backend.models import CallState, FollowUpCall, FollowUpContact
from backend.services.access import parse_id
from backend.services.followup.call_schedule import AI_CALL_RULES
from backend.timeutil import utcnow
from backend.vendors.errors import VendorError
from followup.channels import CallRequest

log = logging.getLogger(__name__)


class ScheduledCallPlacer:
    """`contacts.CallPlacer` through the call schedule: the call is opened in the reminder's
    transaction (committed with the reminder's state), so a reminder sent twice rings once."""

    def place(self, request: CallRequest) -> str:
        contact = db.session.execute(select(FollowUpContact).where(
            FollowUpContact.external_id == parse_id(request.contact_id))).scalar_one()
        task = contact.task
        if task.due_rule.startswith(AI_CALL_RULES):
            # The caller already gave this follow-up to the doctor (refused, wrong person…).
            raise VendorError("ai_call", "这次随访已经交给医生，不再由AI电话联系。",
                              code="handed_to_doctor")
        now = utcnow()
        insert = (postgresql.insert if db.engine.dialect.name == "postgresql"
                  else sqlite.insert)(FollowUpCall)
        db.session.execute(insert.values(
            resident_id=contact.resident_id, due_on=task.due_on,
            status=CallState.SCHEDULED.value, next_attempt_at=now, attempts=0,
            failures={}).on_conflict_do_nothing(index_elements=["resident_id", "due_on"]))
        call = db.session.execute(select(FollowUpCall).where(
            FollowUpCall.resident_id == contact.resident_id,
            FollowUpCall.due_on == task.due_on)).scalar_one()
        log.info("reminder call scheduled", extra={"follow_up_contact": str(contact.external_id),
                                                   "call": str(call.external_id),
                                                   "call_state": call.status})
        return str(call.external_id)
