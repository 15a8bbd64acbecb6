"""Jobs of the EMR outbox: deliver one note, and the periodic scan for due deliveries."""

from __future__ import annotations

import logging

from rq import get_current_job

from backend.interop.emr_client import post_transaction
from backend.interop.fhir import MappingError
from backend.jobs import enqueue
from backend.jobs.context import with_app_context
from backend.services import emr

log = logging.getLogger(__name__)


def _job_id() -> str | None:
    job = get_current_job()
    return job.id if job else None


@with_app_context
def deliver_note(delivery_id: int) -> str:
    """One delivery attempt; safe to run twice (a second run finds nothing due)."""
    target = emr.endpoint()
    if target is None:
        return "no-emr-configured"  # pull-only hospital: the note waits for GET /fhir/r4
    claimed = emr.claim(delivery_id)
    if claimed is None:
        return "not-due"
    try:
        bundle = emr.bundle_for_note(claimed.note_id)
    except MappingError as exc:
        log.exception("pre-visit note cannot be mapped to FHIR",
                      extra={"delivery": delivery_id, "job_id": _job_id()})
        emr.mapping_failed(claimed, exc)
        return "dead"
    result = post_transaction(target, bundle)
    return emr.record(claimed, result)


@with_app_context
def dispatch_due_deliveries() -> int:
    """Enqueue every delivery that is due or whose worker died (expired lease)."""
    if emr.endpoint() is None:
        return 0
    ids = emr.due_ids()
    for delivery_id in ids:
        enqueue(deliver_note, delivery_id, queue="emr")
    if ids:
        log.info("emr deliveries dispatched", extra={"count": len(ids), "job_id": _job_id()})
    return len(ids)
