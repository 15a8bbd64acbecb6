"""Background jobs on RQ, or inline in embedded mode.

Jobs take ids, reload state, are safe to run twice, name their queue and log their job id.
`enqueue` is called after the caller's commit so a worker never sees uncommitted state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app
from rq import Queue, Retry

from backend.extensions import get_redis

log = logging.getLogger(__name__)

QUEUES = ("default", "emr", "payments", "maintenance", "calls")


def enqueue(func: Callable[..., Any], *args: Any, queue: str = "default",
            retry: Retry | None = None, job_id: str | None = None, **kwargs: Any) -> str | None:
    """Run `func` in a worker (or now, inline). Returns the RQ job id, None when inline."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if current_app.config["JOBS_INLINE"]:
        log.info("running job inline", extra={"job": func.__name__})
        func(*args, **kwargs)
        return None
    job = Queue(queue, connection=get_redis()).enqueue(
        func, *args, retry=retry, job_id=job_id, **kwargs)
    log.info("job enqueued", extra={"job": func.__name__, "job_id": job.id, "queue": queue})
    return job.id


def enqueue_many(calls: list[tuple[Callable[..., Any], tuple[Any, ...]]],
                 queue: str = "default") -> None:
    """Several jobs for one queue in one Redis round trip (or each now, inline)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if current_app.config["JOBS_INLINE"]:
        for func, args in calls:
            log.info("running job inline", extra={"job": func.__name__})
            func(*args)
        return
    jobs = Queue(queue, connection=get_redis()).enqueue_many(
        [Queue.prepare_data(func, args=args) for func, args in calls])
    log.info("jobs enqueued", extra={"count": len(jobs), "queue": queue,
                                     "job_ids": [job.id for job in jobs][:20]})
