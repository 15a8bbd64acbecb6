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

from sqlalchemy import event
from sqlalchemy.orm import Session

from backend.extensions import db
from backend.jobs import enqueue

log = logging.getLogger(__name__)
_KEY = "frontdoor.deferred_jobs"


def defer(job: str, *args: Any, queue: str = "default") -> None:
    """`job` is "module:function" (resolved at enqueue time: jobs import services, not back)."""
    db.session.info.setdefault(_KEY, []).append((job, args, queue))


def _resolve(job: str):
    module, _, name = job.partition(":")
    return getattr(importlib.import_module(module), name)


def commit() -> None:
    """Commit, then enqueue every job deferred in this transaction."""
    db.session.commit()
    pending = db.session.info.pop(_KEY, [])
    for job, args, queue in pending:
        try:
            enqueue(_resolve(job), *args, queue=queue)
        except Exception:  # the outbox dispatcher picks the work up on its next run
            log.exception("could not enqueue a deferred job", extra={"job": job})


@event.listens_for(Session, "after_rollback")
def _forget_deferred(session: Session) -> None:
    session.info.pop(_KEY, None)
