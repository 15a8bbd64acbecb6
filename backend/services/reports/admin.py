"""Push coverage as hospital admins read it (own hospital only, audited)."""

from __future__ import annotations

from datetime import datetime

from backend.auth import Principal
from backend.extensions import db
from backend.services import audit
from backend.services.reports.delivery import Coverage
from backend.services.reports.delivery import coverage as count_coverage


def coverage(principal: Principal, start: datetime, end: datetime) -> Coverage:
    result = count_coverage(principal.organization_id, start, end)
    audit.record("report.coverage_read", "organization", None,
                 {"from": start.isoformat(), "to": end.isoformat()})
    db.session.commit()
    return result
