"""Vaccination jobs: every minute, each due row (schedule reminder, end of 留观, after-care call)
is handled by its own job, which locks and re-reads it, so running twice sends nothing twice."""

from __future__ import annotations

import logging

from backend.jobs import enqueue
from backend.jobs.context import with_app_context
from backend.services.vaccination import due

log = logging.getLogger(__name__)


@with_app_context
def handle_due(due_id: int) -> str:
    return due.handle(due_id)


@with_app_context
def dispatch_due() -> int:
    ids = due.due_ids()
    for due_id in ids:
        enqueue(handle_due, due_id)
    if ids:
        log.info("vaccination due rows dispatched", extra={"count": len(ids)})
    return len(ids)
