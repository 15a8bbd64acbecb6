"""Reports as a patient reads them: the list, one report explained, one test over time.

Only released reports of the account's own 就诊人; every read is audited. Values are explained
on the fly from the stored results (the words follow the knowledge files, which may improve),
so nothing explained is ever stale. Confidential reports show only how to collect them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    CriticalAlert,
    Organization,
    PatientProfile,
    Report,
    ReportResult,
    ReportRevision,
)
from backend.services import audit
from backend.services.access import load_profile, parse_id, visible_profiles
from backend.services.reports import rephrase
from backend.services.reports.critical import patient_context, result_in
from backend.services.reports.rules import knowledge_for
from backend.timeutil import local_today
from reports.explain import ADVICE, Level, explain_result, summarise
from reports.flags import assess, band_for
from reports.imaging import explain_conclusion, imaging_level
from reports.model import PatientContext
from reports.trends import Point, trend
from reports.values import interval

COLLECT_IN_PERSON = "这份报告需要您本人带身份证到医院领取，医生会当面为您解读。"
CANCELLED = "医院已撤回这份报告，请以医院的通知为准。"
CRITICAL_BANNER = "这份报告里有需要尽快处理的结果，医院已经通知了医生。" \
                  "请尽快与医院联系或到急诊科就诊。"


@dataclass
class ReportView:
    report: Report
    hospital: str
    hospital_phone: str | None
    headline: str
    advice: str
    level: str
    abnormal: int
    critical: bool
    corrected: bool
    collect_in_person: bool
    notice: str | None
    results: list[dict[str, Any]] = field(default_factory=list)
    imaging: list[dict[str, Any]] = field(default_factory=list)
    findings: str | None = None
    conclusion: str | None = None


def critical_report_ids(report_ids: list[int]) -> set[int]:
    if not report_ids:
        return set()
    return set(db.session.execute(select(CriticalAlert.report_id).where(
        CriticalAlert.report_id.in_(report_ids))).scalars())


def _corrections(report: Report) -> dict[str, str]:
    """Test code → the value the last correction replaced (for the "已更正" mark)."""
    if report.corrected_at is None:
        return {}
    revision = db.session.execute(select(ReportRevision).where(
        ReportRevision.report_id == report.id, ReportRevision.replaced_because == "correct")
        .order_by(ReportRevision.version.desc()).limit(1)).scalar_one_or_none()
    if revision is None:
        return {}
    old = {r["code"]: r["value"] for r in revision.snapshot.get("results", [])}
    return {row.code: old[row.code] for row in report.results
            if row.code in old and old[row.code] != row.value}


def build(report: Report, critical: bool, detail: bool) -> ReportView:
    organization = db.session.get(Organization, report.organization_id)
    corrected = report.corrected_at is not None
    if report.confidential or report.status == "cancelled":
        notice = COLLECT_IN_PERSON if report.confidential else CANCELLED
        return ReportView(report, organization.name, organization.phone, notice, "",
                          Level.UNKNOWN.name.lower(), 0, False, corrected,
                          report.confidential, notice)
    knowledge = knowledge_for(organization)
    context = patient_context(report, None)
    replaced = _corrections(report) if detail else {}
    explained, results = [], []
    for row in report.results:
        result = result_in(row)
        test = knowledge.find(result.code, result.name, result.loinc)
        words = explain_result(result, test, assess(result, test, context, knowledge))
        explained.append(words)
        results.append({"code": words.code, "name": words.name, "value": words.value,
                        "unit": words.unit, "flag": words.flag, "flag_words": words.flag_words,
                        "level": words.level.name.lower(), "reference": row.reference_range,
                        "text": words.text, "advice": words.advice, "basis": words.basis,
                        "source": words.source, "critical": words.critical,
                        "corrected_from": replaced.get(row.code),
                        "trend_code": row.test_code, "rephrased": False})
    if detail and rephrase.enabled():
        rephrase.rephrase(results)
    sentences = explain_conclusion(report.conclusion) if report.conclusion else []
    summary = summarise(explained, imaging_level(sentences) if sentences else None, corrected)
    if critical:
        summary_level, advice = Level.CRITICAL, ADVICE[Level.CRITICAL]
    else:
        summary_level, advice = summary.level, summary.advice
    imaging = [{"sentence": s.sentence, "level": s.level.name.lower(),
                "items": [{"words": i.words, "plain": i.plain, "advice": i.advice,
                           "source": i.source} for i in s.items]} for s in sentences]
    return ReportView(report, organization.name, organization.phone, summary.headline, advice,
                      summary_level.name.lower(), summary.abnormal, critical, corrected, False,
                      CRITICAL_BANNER if critical else ("报告已更正" if corrected else None),
                      results if detail else [], imaging if detail else [],
                      report.findings if detail else None, report.conclusion if detail else None)


def list_for(principal: Principal, patient_id) -> list[ReportView]:
    profile = load_profile(principal, patient_id)
    rows = list(db.session.execute(select(Report).where(
        Report.patient_id == profile.id, Report.released_at.is_not(None))
        .order_by(Report.reported_at.desc().nulls_last(), Report.id.desc()).limit(200))
        .scalars())
    critical = critical_report_ids([r.id for r in rows])
    audit.record("report.list", "patient_profile", str(profile.external_id),
                 {"count": len(rows)})
    db.session.commit()
    return [build(r, r.id in critical, detail=False) for r in rows]


def _load(principal: Principal, report_id) -> Report:
    report = db.session.execute(select(Report).where(
        Report.external_id == parse_id(report_id), Report.released_at.is_not(None)))\
        .scalar_one_or_none()
    if report is None:
        raise NotFound("没有找到这份报告。")
    visible = db.session.execute(visible_profiles(principal).where(
        PatientProfile.id == report.patient_id)).first()
    if visible is None:
        raise NotFound("没有找到这份报告。")
    return report


def get(principal: Principal, report_id) -> ReportView:
    report = _load(principal, report_id)
    view = build(report, bool(critical_report_ids([report.id])), detail=True)
    audit.record("report.read", "report", str(report.external_id), {"version": report.version})
    db.session.commit()
    return view


@dataclass
class TrendView:
    code: str
    name: str
    unit: str
    band_low: float | None
    band_high: float | None
    direction: str
    words: str
    points: list[dict[str, Any]]


def trend_for(principal: Principal, patient_id, test_code: str) -> TrendView:
    profile = load_profile(principal, patient_id)
    rows = db.session.execute(
        select(Report, ReportResult).join(ReportResult, ReportResult.report_id == Report.id)
        .where(Report.patient_id == profile.id, Report.released_at.is_not(None),
               Report.confidential.is_(False), Report.status != "cancelled",
               ReportResult.test_code == test_code)
        .order_by(Report.collected_at, Report.id).limit(100)).all()
    if not rows:
        raise ValidationFailed("这项检查还没有结果。", field="test_code")
    knowledge = knowledge_for(db.session.get(Organization, rows[0][0]
                                             .organization_id))
    test = knowledge.tests.get(test_code)
    points, last_reference = [], None
    for report, row in rows:
        result = result_in(row)
        assessment = assess(result, test, patient_context(report, None), knowledge)
        if assessment.canonical_value is None:
            continue  # a value we cannot put on the test's scale is left out, not guessed
        when = report.collected_at or report.reported_at or report.created_at
        points.append(Point(when, assessment.canonical_value, assessment.flag.value
                            if assessment.flag else None, str(report.external_id)))
        if row.unit and test and row.unit in {test.unit}:
            last_reference = interval(row.reference_range or "")
    low = high = None
    if test:
        context = PatientContext.on(profile.sex, profile.birth_date, local_today())
        band, _ = band_for(knowledge.intervals.get(test.code, ()), context)
        if band is not None:
            low, high = band.low, band.high
        elif last_reference is not None:
            low, high = last_reference.low, last_reference.high
    name = test.names[0] if test else rows[0][1].name
    series = trend(test_code, name, test.unit if test else (rows[0][1].unit or ""),
                   points, low, high)
    audit.record("report.trend", "patient_profile", str(profile.external_id),
                 {"test": test_code, "points": len(points)})
    db.session.commit()
    return TrendView(series.code, series.name, series.unit, series.band_low, series.band_high,
                     series.direction, series.words,
                     [{"when": p.when, "value": p.value, "flag": p.flag,
                       "report_id": p.report_id} for p in series.points])
