"""Report jobs: message and escalate critical values, match waiting reports, reconcile push
coverage."""

from __future__ import annotations

import logging

from rq import get_current_job
from sqlalchemy import select

from backend.extensions import db
from backend.jobs import enqueue
from backend.jobs.context import with_app_context
from backend.models import Organization
from backend.services.reports import critical, delivery, paging, waiting

log = logging.getLogger(__name__)


def _job_id() -> str | None:
    job = get_current_job()
    return job.id if job else None


@with_app_context
def escalate_critical_value(alert_id: int) -> str:
    return critical.escalate(alert_id)


@with_app_context
def send_clinician_message(message_id: int) -> str:
    return paging.send(message_id)


@with_app_context
def dispatch_critical_escalations() -> int:
    """Every open critical value past its time goes up one step, and every clinician message
    still pending (WeCom was busy, or a worker died) is sent again (scanned every minute)."""
    for message_id in paging.pending_ids():
        enqueue(send_clinician_message, message_id, queue="default")
    ids = critical.due_ids()
    for alert_id in ids:
        enqueue(escalate_critical_value, alert_id, queue="default")
    if ids:
        log.warning("critical values escalating", extra={"count": len(ids), "job_id": _job_id()})
    return len(ids)


@with_app_context
def match_waiting_reports() -> int:
    """Reports that waited for a 就诊人 who has registered since are matched and released."""
    matched = waiting.match_waiting()
    if matched:
        log.info("waiting reports matched", extra={"count": matched, "job_id": _job_id()})
    return matched


@with_app_context
def reconcile_report_delivery() -> int:
    organization_ids = list(db.session.execute(select(Organization.id)).scalars())
    return delivery.reconcile(organization_ids)
