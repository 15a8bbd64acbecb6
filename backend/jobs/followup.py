"""The daily follow-up due-scan, dispatched by the scheduler (one job, never one per person)."""

from __future__ import annotations

import logging

from rq import get_current_job

from backend.jobs import enqueue_many
from backend.jobs.context import with_app_context
from backend.services.followup import (
    call_storage,
    calls,
    check_reminders,
    contacts,
    sms_receipts,
)
from backend.services.followup.due_scan import scan
from backend.services.followup.reminders import queue_reminders
from backend.timeutil import CLINIC_TZ, local_today, utcnow

log = logging.getLogger(__name__)


@with_app_context
def scan_due_followups() -> dict[str, int]:
    """Open the follow-up tasks that have come due and escalate the overdue; safe to run twice."""
    job = get_current_job()
    log.info("follow-up due-scan starting", extra={"job_id": job.id if job else None})
    return scan(local_today()).__dict__


@with_app_context
def remind_residents() -> dict[str, int]:
    """Queue the day's follow-up reminders in the outbox (sent by the message job, in the
    morning rather than at the scan's night hour); safe to run twice."""
    job = get_current_job()
    log.info("follow-up reminders starting", extra={"job_id": job.id if job else None})
    return queue_reminders(local_today())


@with_app_context
def send_contact(contact_id: int) -> str:
    return contacts.send(contact_id)


@with_app_context
def dispatch_pending_contacts() -> int:
    """Enqueue the pending SMS reminders, and the AI calls once a call placer is registered."""
    ids = contacts.pending_ids("sms")
    if contacts.call_placer() is not None:
        ids += contacts.pending_ids("ai_call")
    enqueue_many([(send_contact, (contact_id,)) for contact_id in ids], queue="default")
    return len(ids)


@with_app_context
def pull_sms_receipts() -> dict[str, int]:
    """Ask for the receipts of texts sent without one yet (QuerySendDetails); the push, when
    configured, usually gets there first, and a receipt is applied once either way."""
    outcomes: dict[str, int] = {}
    for contact_id in sms_receipts.awaiting_ids():
        outcome = sms_receipts.pull(contact_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@with_app_context
def remind_hba1c() -> int:
    """Queue the HbA1c checks that have come due (daily; safe to run twice)."""
    return check_reminders.queue_hba1c(local_today())


@with_app_context
def remind_doses() -> int:
    """Queue the doses of the last minutes (every few minutes; a dose is queued once)."""
    return check_reminders.queue_doses(utcnow().astimezone(CLINIC_TZ))


@with_app_context
def dispatch_calls() -> dict[str, int]:
    """Queue the AI follow-up calls due now (inside the dialling hours); safe to run twice."""
    job = get_current_job()
    log.info("follow-up call dispatch starting", extra={"job_id": job.id if job else None})
    return calls.dispatch()


@with_app_context
def place_call(call_id: int) -> str | None:
    """Place one call (minutes long, on the `calls` queue). Takes the call only if it is
    still due and nobody else has it, so a job run twice rings once."""
    job = get_current_job()
    log.info("follow-up call starting", extra={"job_id": job.id if job else None,
                                               "call": call_id})
    return calls.place(call_id)


@with_app_context
def purge_call_recordings() -> int:
    """Delete call transcripts and recordings past their retention; safe to run twice."""
    return call_storage.purge_expired(utcnow())
