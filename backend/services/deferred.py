"""Jobs that may start only once the transaction that asked for them has committed.

A service calls `defer(job, *ids, queue=...)` while it works and `commit()` at the end; a rollback
drops what was deferred, so a worker never runs against state that did not happen. The rows the
jobs act on (orders, messages) are outboxes that periodic dispatch jobs also scan, so a crash
between the commit and the enqueue delays work but never loses it.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from backend.extensions import db
from backend.jobs import enqueue, enqueue_many

log = logging.getLogger(__name__)
_KEY = "frontdoor.deferred_jobs"


def defer(job: str, *args: Any, queue: str = "default") -> None:
    """`job` is "module:function" (resolved at enqueue time: jobs import services, not back).
    An argument may be a row not yet flushed: the job gets its id, taken at the commit's flush
    (so a service need not flush just to learn an id)."""
    db.session.info.setdefault(_KEY, []).append((job, args, queue))


def _resolve(job: str):
    module, _, name = job.partition(":")
    return getattr(importlib.import_module(module), name)


def commit() -> None:
    """Commit, then enqueue every job deferred in this transaction (one Redis round trip per
    queue when there are several, as when the MLLP listener stores a batch of messages)."""
    db.session.flush()
    pending = [(job, tuple(arg.id if isinstance(arg, db.Model) else arg for arg in args), queue)
               for job, args, queue in db.session.info.get(_KEY, [])]
    db.session.commit()
    db.session.info.pop(_KEY, None)
    by_queue: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
    for job, args, queue in pending:
        by_queue.setdefault(queue, []).append((job, args))
    for queue, jobs in by_queue.items():
        if len(jobs) > 1 and not current_app.config["JOBS_INLINE"]:
            try:
                enqueue_many([(_resolve(job), args) for job, args in jobs], queue=queue)
            except Exception:  # the outbox dispatchers pick the work up on their next run
                log.exception("could not enqueue deferred jobs",
                              extra={"jobs": sorted({job for job, _ in jobs}), "queue": queue})
            continue
        for job, args in jobs:  # inline, each job runs (and may fail) on its own
            try:
                enqueue(_resolve(job), *args, queue=queue)
            except Exception:  # the outbox dispatcher picks the work up on its next run
                log.exception("could not enqueue a deferred job", extra={"job": job})


@event.listens_for(Session, "after_rollback")
def _forget_deferred(session: Session) -> None:
    session.info.pop(_KEY, None)
