"""Console reads about inbound results: dead letters and push coverage (own hospital only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from backend.auth import Principal
from backend.extensions import db
from backend.models import InboundDeadLetter
from backend.services import audit
from backend.services.reports.delivery import Coverage
from backend.services.reports.delivery import coverage as count_coverage


def dead_letters(principal: Principal) -> list[InboundDeadLetter]:
    return list(db.session.execute(select(InboundDeadLetter).where(
        (InboundDeadLetter.organization_id == principal.organization_id)
        | InboundDeadLetter.organization_id.is_(None))
        .order_by(InboundDeadLetter.created_at.desc()).limit(200)).scalars())


def coverage(principal: Principal, start: datetime, end: datetime) -> Coverage:
    result = count_coverage(principal.organization_id, start, end)
    audit.record("report.coverage_read", "organization", None,
                 {"from": start.isoformat(), "to": end.isoformat()})
    db.session.commit()
    return result
