"""The daily follow-up due-scan, dispatched by the scheduler (one job, never one per person)."""

from __future__ import annotations

import logging

from rq import get_current_job

from backend.jobs.context import with_app_context
from backend.services.followup.due_scan import scan
from backend.services.followup.reminders import queue_reminders
from backend.timeutil import local_today

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
