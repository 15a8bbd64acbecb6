"""A resident's page: who they are, their family doctors, and everything the system holds about
them in one timeline (visits, pre-visit notes, reports), with trend charts of repeated tests.

Entries come from sources registered per kind; a journey adds its own (vitals, follow-ups,
messages sent) with `@source`, and its charts with `@chart`, without touching the others.
The page's read is audited once, and each trend read by the report service is audited as in the API.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func, select

from backend.auth import Principal
from backend.extensions import db
from backend.models import (
    Booking,
    BookingStatus,
    Department,
    Organization,
    PatientProfile,
    PreVisitNote,
    Report,
    ReportResult,
)
from backend.services import audit
from backend.services.access import load_profile
from backend.services.console.residents import signed_doctors
from backend.services.reports import views
from backend.timeutil import CLINIC_TZ

MAX_ENTRIES_PER_SOURCE = 100
MAX_TRENDS = 4
BOOKING_WORDS = {BookingStatus.CONFIRMED: "已预约", BookingStatus.CHECKED_IN: "已签到",
                 BookingStatus.COMPLETED: "已就诊", BookingStatus.NO_SHOW: "未到诊",
                 BookingStatus.CANCELLED: "已取消", BookingStatus.STOPPED: "医院停诊"}
LEVEL_WORDS = {"normal": "正常", "unknown": "请医生判断", "mild": "轻度异常",
               "marked": "明显异常", "critical": "危急"}


@dataclass
class Entry:
    when: datetime
    kind: str  # visit | note | report (template console/timeline/<kind>.html)
    title: str
    detail: str = ""
    level: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResidentView:
    profile: PatientProfile
    doctors: list[str]
    entries: list[Entry]
    trends: list[views.TrendView]
    charts: list[Any] = field(default_factory=list)


Source = Callable[[PatientProfile], list[Entry]]
_SOURCES: list[Source] = []
Charts = Callable[[PatientProfile], list[Any]]
_CHARTS: list[Charts] = []


def source(build: Source) -> Source:
    _SOURCES.append(build)
    return build


def chart(build: Charts) -> Charts:
    """Charts a journey draws on the resident page (each with the TrendView's fields)."""
    _CHARTS.append(build)
    return build


def resident(principal: Principal, resident_id) -> ResidentView:
    profile = load_profile(principal, resident_id)
    entries = [entry for build in _SOURCES for entry in build(profile)]
    entries.sort(key=lambda e: e.when, reverse=True)
    audit.record("resident.read", "patient_profile", str(profile.external_id),
                 {"view": "console.timeline", "entries": len(entries)})
    db.session.commit()
    trends = [views.trend_for(principal, profile.external_id, code)
              for code in _trend_codes(profile)]
    charts = [c for build in _CHARTS for c in build(profile)]
    return ResidentView(profile, signed_doctors([profile.id]).get(profile.id, []), entries,
                        [t for t in trends if len(t.points) >= 1], charts)


def _trend_codes(profile: PatientProfile) -> list[str]:
    """The tests measured most often (at least twice), so a chart shows a course."""
    rows = db.session.execute(
        select(ReportResult.test_code, func.count())
        .join(Report, Report.id == ReportResult.report_id)
        .where(Report.patient_id == profile.id, Report.released_at.is_not(None),
               Report.confidential.is_(False), Report.status != "cancelled",
               ReportResult.test_code.is_not(None))
        .group_by(ReportResult.test_code)).all()
    counts = Counter({code: n for code, n in rows if n >= 2})
    return [code for code, _ in counts.most_common(MAX_TRENDS)]


@source
def visits(profile: PatientProfile) -> list[Entry]:
    rows = db.session.execute(
        select(Booking, Organization.name, Department.name)
        .join(Organization, Organization.id == Booking.organization_id)
        .join(Department, Department.id == Booking.department_id)
        .where(Booking.patient_id == profile.id,
               Booking.status.in_([s.value for s in BOOKING_WORDS]))
        .order_by(Booking.clinic_date.desc()).limit(MAX_ENTRIES_PER_SOURCE)).all()
    return [Entry(datetime.combine(b.clinic_date, time(8), CLINIC_TZ).astimezone(UTC), "visit",
                  f"{org} {dept}", BOOKING_WORDS[BookingStatus(b.status)],
                  data={"doctor": b.doctor.name if b.doctor else None})
            for b, org, dept in rows]


@source
def notes(profile: PatientProfile) -> list[Entry]:
    rows = db.session.execute(
        select(PreVisitNote).where(PreVisitNote.patient_id == profile.id)
        .order_by(PreVisitNote.confirmed_at.desc()).limit(MAX_ENTRIES_PER_SOURCE)).scalars()
    latest: dict[int, PreVisitNote] = {}
    for note in rows:
        latest.setdefault(note.session_id, note)
    return [Entry(n.confirmed_at, "note", "预问诊记录" + (f"（第{n.version}版）"
                                                        if n.version > 1 else ""),
                  n.narrative, "critical" if n.red_flag_rule else None)
            for n in latest.values()]


@source
def reports(profile: PatientProfile) -> list[Entry]:
    rows = list(db.session.execute(
        select(Report).where(Report.patient_id == profile.id, Report.released_at.is_not(None))
        .order_by(Report.released_at.desc()).limit(MAX_ENTRIES_PER_SOURCE)).scalars())
    flagged = views.critical_report_ids([r.id for r in rows])
    entries = []
    for report in rows:
        view = views.build(report, report.id in flagged, detail=False)
        entries.append(Entry(report.reported_at or report.released_at, "report", report.title,
                             view.headline, view.level,
                             data={"hospital": view.hospital, "abnormal": view.abnormal}))
    return entries
