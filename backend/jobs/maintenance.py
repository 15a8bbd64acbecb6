"""Housekeeping jobs the scheduler dispatches: session purge and audit-chain verification."""

from __future__ import annotations

import logging
from datetime import timedelta

from rq import get_current_job
from sqlalchemy import delete, or_

from backend.extensions import db
from backend.jobs.context import with_app_context
from backend.models import AuthSession
from backend.services import audit_seal, audit_verify
from backend.timeutil import utcnow

log = logging.getLogger(__name__)
SESSION_RETENTION = timedelta(days=30)


def _job_id() -> str | None:
    job = get_current_job()
    return job.id if job else None


@with_app_context
def purge_expired_sessions() -> int:
    """Delete session rows that expired or were revoked more than 30 days ago (idempotent)."""
    cutoff = utcnow() - SESSION_RETENTION
    result = db.session.execute(delete(AuthSession).where(
        or_(AuthSession.expires_at < cutoff, AuthSession.revoked_at < cutoff)))
    db.session.commit()
    log.info("expired sessions purged", extra={"rows": result.rowcount, "job_id": _job_id()})
    return result.rowcount


@with_app_context
def seal_audit_log() -> int:
    """Safety net beside the `audit seal` process: seal whatever is pending (it waits for
    nothing if that process holds the sealer lock)."""
    result = audit_seal.seal_pending()
    log.info("audit log sealed", extra={"sealed": result.sealed, "head": result.head,
                                        "busy": result.busy, "job_id": _job_id()})
    return result.sealed


@with_app_context
def verify_audit_chain() -> bool:
    """Re-walk the audit chain and anchor a checkpoint outside the database; a break is logged
    at ERROR for the on-call to see (and nothing is anchored over it)."""
    count, problems, _checkpoint = audit_verify.anchor()
    for problem in problems:
        log.error("audit chain broken", extra={"seq": problem.seq, "problem": problem.problem,
                                               "job_id": _job_id()})
    log.info("audit chain verified", extra={"entries": count, "ok": not problems,
                                            "job_id": _job_id()})
    return not problems
