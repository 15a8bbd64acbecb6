"""Every released report reaches its patient: a push through the message outbox and the in-app
list; confidential results are withheld and collected in person; coverage is measured.

Release happens in the transaction that stores (or matches) a final report, so a report can
never be released without its message row. `reconcile` (daily) repairs any released report
that still has no message and logs the day's coverage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from backend.extensions import db
from backend.models import CriticalAlert, PatientMessage, PatientProfile, Report
from backend.services.deferred import commit, defer
from backend.services.reports import message_content
from backend.timeutil import utcnow

log = logging.getLogger(__name__)
RECONCILE_WINDOW = timedelta(days=2)


def _queue(report: Report, kind: str, dedupe: str, fresh: bool = False) -> None:
    """`fresh`: the report was created in this transaction, so no message can exist yet."""
    key = f"{kind}:{report.external_id}:{dedupe}"
    if not fresh and db.session.execute(select(PatientMessage.id).where(
            PatientMessage.dedupe_key == key)).scalar_one_or_none() is not None:
        return
    profile = db.session.get(PatientProfile, report.patient_id)
    message = PatientMessage(dedupe_key=key, account_id=profile.account_id, report=report,
                             kind=kind, status="pending", data=message_content.data(report),
                             attempts=0)
    db.session.add(message)
    defer("backend.jobs.messages:send_message", message)  # its id once flushed


def release(report: Report, corrected: bool = False, first: bool | None = None,
            fresh: bool = False) -> None:
    """A final (or corrected) report of a matched patient: tell them, unless confidential.
    `first`: the caller already set `released_at` for this first release (None: decide here)."""
    if first is None:
        first = report.released_at is None
        if first:
            report.released_at = utcnow()
    if report.confidential:
        return  # shown in the list as "请本人到医院领取"; never pushed
    if first:
        _queue(report, "report_ready", "1", fresh)
    elif corrected:
        _queue(report, "report_corrected", str(report.version))


def critical_notice(report: Report, alert: CriticalAlert) -> None:
    """The calm message to the patient, queued after the clinician alert row exists."""
    if alert.clinician_notified_at is None:
        raise RuntimeError("a patient is never told of a critical value before a clinician")
    alert.patient_notified_at = utcnow()
    _queue(report, "critical_value", str(alert.id))


@dataclass(frozen=True)
class Coverage:
    released: int
    delivered: int
    failed: int
    declined: int
    withheld: int
    pending: int
    push_rate: float | None  # delivered / (released - withheld)
    accounted_rate: float | None  # reports whose outcome is known / released


def coverage(organization_id: int, start: datetime, end: datetime) -> Coverage:
    """Per released report: delivered (sent), failed, declined (not subscribed), withheld
    (confidential), pending (still in the outbox)."""
    ready = select(PatientMessage.report_id, PatientMessage.status).where(
        PatientMessage.kind == "report_ready").subquery()
    rows = db.session.execute(
        select(Report.confidential, ready.c.status, func.count())
        .outerjoin(ready, ready.c.report_id == Report.id)
        .where(Report.organization_id == organization_id, Report.released_at >= start,
               Report.released_at < end)
        .group_by(Report.confidential, ready.c.status)).all()
    counts = {"delivered": 0, "failed": 0, "declined": 0, "withheld": 0, "pending": 0}
    released = 0
    for confidential, status, count in rows:
        released += count
        if confidential:
            counts["withheld"] += count
        elif status == "sent":
            counts["delivered"] += count
        elif status == "failed":
            counts["failed"] += count
        elif status == "skipped":
            counts["declined"] += count
        else:
            counts["pending"] += count
    pushable = released - counts["withheld"]
    known = released - counts["pending"]
    return Coverage(released=released, **counts,
                    push_rate=round(counts["delivered"] / pushable, 4) if pushable else None,
                    accounted_rate=round(known / released, 4) if released else None)


def reconcile(organization_ids: list[int]) -> int:
    """Queue the message any recently released report is missing; log each hospital's day."""
    since = utcnow() - RECONCILE_WINDOW
    has_message = select(PatientMessage.id).where(and_(
        PatientMessage.report_id == Report.id, PatientMessage.kind == "report_ready"))
    missing = list(db.session.execute(select(Report).where(
        Report.released_at >= since, Report.patient_id.is_not(None),
        Report.confidential.is_(False), ~has_message.exists())).scalars())
    for report in missing:
        _queue(report, "report_ready", "1")
    commit()
    end = utcnow()
    for organization_id in organization_ids:
        day = coverage(organization_id, end - timedelta(days=1), end)
        log.info("report push coverage", extra={"organization": organization_id,
                                                "released": day.released,
                                                "delivered": day.delivered,
                                                "failed": day.failed, "declined": day.declined,
                                                "withheld": day.withheld,
                                                "push_rate": day.push_rate})
    if missing:
        log.warning("released reports had no message; queued", extra={"count": len(missing)})
    return len(missing)
