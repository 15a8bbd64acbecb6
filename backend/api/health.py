"""Liveness and readiness for the load balancer and the orchestrator."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from backend.extensions import db, get_redis, limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive: no dependency is touched."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready to serve: the database answers, and Redis too unless in embedded mode."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means not ready
        log.warning("readiness: database unreachable", extra={"error": type(exc).__name__})
        checks["database"] = "unreachable"
    finally:
        db.session.remove()
    redis = get_redis()
    if redis is None:
        checks["redis"] = "embedded"
    else:
        try:
            redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # connection, timeout, auth: all mean not ready
            log.warning("readiness: redis unreachable", extra={"error": type(exc).__name__})
            checks["redis"] = "unreachable"
    ready = all(value in {"ok", "embedded"} for value in checks.values())
    return jsonify({"status": "ready" if ready else "not_ready", "checks": checks}), (
        200 if ready else 503)
