"""The worklist (工作台): what each staff member has to act on, one section per kind of work.

Sections are registered per role; a journey adds its own (follow-ups due, portraits to review)
with `@section(...)` and a template `console/worklist/<key>.html`, without touching the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.extensions import db
from backend.models import HealthPortrait, PatientProfile, PortraitStatus, Report, StaffRole
from backend.services import alerts, audit
from backend.services.access import visible_profiles
from backend.services.console import previsit
from backend.services.reports import critical, views
from backend.timeutil import utcnow

RECENT_REPORT_DAYS = 14
MAX_ITEMS = 50


@dataclass
class Section:
    key: str
    title: str
    count: int
    items: list[Any] = field(default_factory=list)
    urgent: bool = False
    empty_words: str = "暂无待办。"


Builder = Callable[[Principal], Section]
_SECTIONS: list[tuple[frozenset[str], Builder]] = []


def section(*roles: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        _SECTIONS.append((frozenset(roles), builder))
        return builder
    return register


def for_principal(principal: Principal) -> list[Section]:
    """Every section the principal's role has, in registration order; the read is audited."""
    sections = [build(principal) for roles, build in _SECTIONS if principal.role in roles]
    audit.record("console.worklist", "staff", principal.actor_external_id,
                 {s.key: s.count for s in sections})
    db.session.commit()
    return sections


@section(StaffRole.CLINICIAN, StaffRole.DEPARTMENT_HEAD, StaffRole.HOSPITAL_ADMIN)
def critical_values(principal: Principal) -> Section:
    rows = critical.list_for(principal, open_only=True)
    patients = {p.id: p for p in db.session.execute(select(PatientProfile).where(
        PatientProfile.id.in_({r.report.patient_id for r in rows if r.report.patient_id})))
        .scalars()} if rows else {}
    items = [{"alert": r, "level_words": critical.LEVEL_WORDS[r.level],
              "patient": patients.get(r.report.patient_id)} for r in rows]
    return Section("critical_values", "危急值待确认", len(rows), items, urgent=bool(rows),
                   empty_words="没有待确认的危急值。")


@section(StaffRole.CLINICIAN, StaffRole.DEPARTMENT_HEAD)
def previsit_today(principal: Principal) -> Section:
    cards = previsit.cards_for(principal)
    red = sum(1 for c in cards if c.red_flag)
    return Section("previsit_today", "今日预问诊记录", len(cards),
                   [{"red_flags": red}], urgent=bool(red),
                   empty_words="今天本科室还没有已确认的预问诊记录。")


@section(StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)
def abnormal_reports(principal: Principal) -> Section:
    """Released reports of my residents in the last two weeks that are not all normal."""
    since = utcnow() - timedelta(days=RECENT_REPORT_DAYS)
    visible = visible_profiles(principal).subquery()
    rows = db.session.execute(
        select(Report, visible.c.name, visible.c.external_id)
        .join(visible, visible.c.id == Report.patient_id)
        .where(Report.released_at >= since, Report.status != "cancelled",
               Report.confidential.is_(False))
        .order_by(Report.released_at.desc()).limit(MAX_ITEMS * 2)).all()
    flagged = views.critical_report_ids([r.id for r, _, _ in rows])
    items = []
    for report, name, patient_id in rows:
        view = views.build(report, report.id in flagged, detail=False)
        if view.level in {"normal", "unknown"}:
            continue
        items.append({"report": report, "view": view, "name": name,
                      "patient_id": patient_id})
    items = items[:MAX_ITEMS]
    return Section("abnormal_reports", f"近{RECENT_REPORT_DAYS}天异常报告", len(items), items,
                   urgent=any(i["view"].critical for i in items),
                   empty_words="近两周您的签约居民没有异常报告。")


@section(StaffRole.HOSPITAL_ADMIN)
def admin_alerts(principal: Principal) -> Section:
    rows = alerts.list_alerts(principal, open_only=True)
    return Section("admin_alerts", "系统提醒（病历推送、支付对账等）", len(rows), rows,
                   urgent=bool(rows), empty_words="没有需要处理的系统提醒。")


@section(StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)
def portraits_review(principal: Principal) -> Section:
    """Portrait versions waiting for the doctor (new, or rebuilt because data changed)."""
    visible = visible_profiles(principal).subquery()
    rows = db.session.execute(
        select(HealthPortrait, visible.c.name, visible.c.external_id)
        .join(visible, visible.c.id == HealthPortrait.patient_id)
        .where(HealthPortrait.status == PortraitStatus.DRAFT)
        .order_by(HealthPortrait.built_at).limit(MAX_ITEMS)).all()
    items = [{"portrait": p, "name": name, "patient_id": patient_id}
             for p, name, patient_id in rows]
    return Section("portraits_review", "健康画像待审核", len(items), items,
                   empty_words="没有等待审核的健康画像。")
