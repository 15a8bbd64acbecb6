"""Portrait jobs: find residents whose data changed since their portrait, re-queue them."""

from __future__ import annotations

import logging

from rq import get_current_job

from backend.jobs import enqueue
from backend.jobs.context import with_app_context
from backend.services.portraits import service

log = logging.getLogger(__name__)


@with_app_context
def refresh_portrait(patient_id: int) -> str:
    return service.refresh(patient_id)


@with_app_context
def dispatch_stale_portraits() -> int:
    """Scanned every ten minutes: a new report or note since the portrait was built."""
    ids = service.stale_candidates()
    for patient_id in ids:
        enqueue(refresh_portrait, patient_id, queue="maintenance")
    if ids:
        job = get_current_job()
        log.info("portraits to refresh", extra={"count": len(ids),
                                                "job_id": job.id if job else None})
    return len(ids)
