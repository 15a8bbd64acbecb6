"""Payment jobs: refunds, closing unpaid orders, repairing lost news, daily reconciliation."""

from __future__ import annotations

import logging
from datetime import timedelta

from backend.jobs import enqueue
from backend.jobs.context import with_app_context
from backend.services import payments, reconciliation
from backend.timeutil import local_today

log = logging.getLogger(__name__)


@with_app_context
def submit_refund(order_id: int) -> str:
    """Ask the gateway for the refund; a transient failure fails the job and the repair scan
    tries again a few minutes later."""
    return payments.submit_refund(order_id)


@with_app_context
def close_order(order_id: int) -> None:
    payments.close_at_gateway(order_id)


@with_app_context
def repair_order(order_id: int) -> str:
    return payments.repair(order_id)


@with_app_context
def dispatch_repairs() -> int:
    """Every few minutes: query the gateway about orders whose news has not come."""
    ids = payments.repair_candidates()
    for order_id in ids:
        enqueue(repair_order, order_id, queue="payments")
    if ids:
        log.info("payment repairs dispatched", extra={"count": len(ids)})
    return len(ids)


@with_app_context
def reconcile_yesterday() -> dict[str, int]:
    return reconciliation.reconcile_day(local_today() - timedelta(days=1))

