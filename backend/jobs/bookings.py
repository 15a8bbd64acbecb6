"""Booking jobs: unpaid holds return to the pool by themselves; no-shows; reminders."""

from __future__ import annotations

import logging

from backend.jobs import enqueue
from backend.jobs.context import with_app_context
from backend.services import booking_lifecycle

log = logging.getLogger(__name__)


@with_app_context
def expire_hold(booking_id: int) -> str:
    return booking_lifecycle.expire_hold(booking_id)


@with_app_context
def expire_due_holds() -> int:
    """Every minute: each lapsed hold is expired (its own job, so one slow gateway query does
    not hold up the rest)."""
    ids = booking_lifecycle.due_holds()
    for booking_id in ids:
        enqueue(expire_hold, booking_id, queue="payments")
    if ids:
        log.info("lapsed holds dispatched", extra={"count": len(ids)})
    return len(ids)


@with_app_context
def mark_no_shows() -> int:
    return booking_lifecycle.mark_no_shows()


@with_app_context
def send_reminders() -> int:
    return booking_lifecycle.send_reminders()
