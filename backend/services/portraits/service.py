"""Building, reviewing and showing health portraits; each step audited.

`draft` gathers what the system holds about a resident (released reports explained by the
reports service, pre-visit notes), lets `rules.build` make the statements, and stores a new
version waiting for review (an older unreviewed draft is superseded). The doctor approves, with
corrections to the words or statements left out, or rejects with a reason. Only the latest
approved version reaches the resident. `refresh_stale` turns a version stale when newer data
exists and queues a fresh draft for review.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from backend.auth import Principal
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    Account,
    FollowUpRecord,
    HealthPortrait,
    PatientProfile,
    PortraitStatus,
    PreVisitNote,
    Report,
    Resident,
    RiskFactorEntry,
    VitalReading,
)
from backend.services import audit
from backend.services.access import load_profile, parse_id, visible_profiles
from backend.services.portraits import (
    china_par_file,
    cvd_facts,
    cvd_rules,
    plain,
    programme_facts,
    programme_rules,
    rules,
)
from backend.services.reports import views
from backend.timeutil import CLINIC_TZ, local_today, utcnow
from conversations.knowledge import default_knowledge
from reports.trends import Point, trend

log = logging.getLogger(__name__)
MAX_REPORTS = 100
MAX_EDIT = 300
MAX_REASON = 200


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _reports(profile: PatientProfile) -> list[Report]:
    return list(db.session.execute(select(Report).where(
        Report.patient_id == profile.id, Report.released_at.is_not(None),
        Report.confidential.is_(False), Report.status != "cancelled")
        .order_by(Report.released_at.desc()).limit(MAX_REPORTS)).scalars())


def _notes(profile: PatientProfile) -> list[PreVisitNote]:
    rows = db.session.execute(select(PreVisitNote).where(PreVisitNote.patient_id == profile.id)
                              .order_by(PreVisitNote.confirmed_at.desc()).limit(50)).scalars()
    latest: dict[int, PreVisitNote] = {}
    for note in rows:
        latest.setdefault(note.session_id, note)
    return list(latest.values())


def data_mark(reports: list[Report], notes: list[PreVisitNote],
              programme: list[str] = ()) -> str:
    """Which data a version was built from: a changed or new report or note (or reading,
    follow-up visit, follow-up due date) changes it."""
    parts = sorted(f"r{r.external_id}:{r.version}" for r in reports) + \
        sorted(f"n{n.external_id}" for n in notes) + sorted(programme)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def gather(profile: PatientProfile) -> tuple[rules.Held, str]:
    reports, notes = _reports(profile), _notes(profile)
    critical = views.critical_report_ids([r.id for r in reports])
    results = []
    for report in reports:
        view = views.build(report, report.id in critical, detail=True)
        # Dates as the clinic says them (China Standard Time), not UTC.
        when = (report.collected_at or report.reported_at or report.released_at)\
            .astimezone(CLINIC_TZ)
        for row in view.results:
            results.append(rules.Result(
                str(report.external_id), report.title, when, row["trend_code"] or row["code"],
                row["name"], row["value"], _number(row["value"]), row["unit"] or "",
                row["flag_words"] or "", row["level"], bool(row["critical"])))
    names = {rule.id: rule.name for rule in default_knowledge().red_flags}
    facts = [rules.NoteFact(str(n.external_id), n.confirmed_at.astimezone(CLINIC_TZ),
                            names.get(n.red_flag_rule, n.red_flag_rule)
                            if n.red_flag_rule else None) for n in notes]
    programme = programme_facts.gather(profile)
    cvd = cvd_facts.gather(profile, results, local_today())
    held = rules.Held(str(profile.external_id), profile.age, profile.birth_date, local_today(),
                      results, facts, programme.enrolments, programme.blood_pressure,
                      programme.bp_target, profile.sex, cvd)
    return held, data_mark(reports, notes, programme.marks + cvd.marks)


def coefficients() -> china_par_file.Coefficients | None:
    """The vetted China-PAR set, or None (no file, or one refused: logged with the reason)."""
    configured = current_app.config["CHINA_PAR_COEFFICIENTS"]
    path = Path(configured) if configured else china_par_file.DEFAULT_FILE
    try:
        return china_par_file.load(path, local_today())
    except china_par_file.CoefficientsRefused as exc:
        log.error("China-PAR coefficient file refused",
                  extra={"path": str(path), "reason": str(exc)})
        return None


def _trend_words(code: str, series: list[rules.Result]) -> str:
    points = [Point(r.when, r.number, None, r.report_id) for r in series]
    return trend(code, series[-1].name, series[-1].unit, points, None, None).words


def _new_version(profile: PatientProfile, staff_id: int | None) -> HealthPortrait:
    held, mark = gather(profile)
    more = programme_rules.build(held) + cvd_rules.build(held, held.cvd, held.sex,
                                                         coefficients())
    statements = plain.add_plain_words(rules.build(held, _trend_words, more))
    for older in db.session.execute(select(HealthPortrait).where(
            HealthPortrait.patient_id == profile.id,
            HealthPortrait.status == PortraitStatus.DRAFT).with_for_update()
            .execution_options(populate_existing=True)).scalars():
        older.status = PortraitStatus.SUPERSEDED
    version = (db.session.execute(select(func.max(HealthPortrait.version)).where(
        HealthPortrait.patient_id == profile.id)).scalar_one() or 0) + 1
    portrait = HealthPortrait(patient_id=profile.id, version=version,
                              status=PortraitStatus.DRAFT, stale=False, statements=statements,
                              data_mark=mark, built_at=utcnow(), built_by=staff_id)
    db.session.add(portrait)
    db.session.flush()
    return portrait


def draft(principal: Principal, resident_id) -> HealthPortrait:
    profile = load_profile(principal, resident_id)
    portrait = _new_version(profile, principal.staff_id)
    audit.record("portrait.built", "patient_profile", str(profile.external_id),
                 {"portrait": str(portrait.external_id), "version": portrait.version,
                  "statements": len(portrait.statements)})
    db.session.commit()
    return portrait


@dataclass
class PortraitView:
    latest: HealthPortrait | None
    approved: HealthPortrait | None


def for_staff(principal: Principal, profile: PatientProfile) -> PortraitView:
    """The newest version and the newest approved one (the caller has checked access)."""
    rows = list(db.session.execute(select(HealthPortrait).where(
        HealthPortrait.patient_id == profile.id, HealthPortrait.status.in_(
            [PortraitStatus.DRAFT, PortraitStatus.APPROVED, PortraitStatus.REJECTED]))
        .order_by(HealthPortrait.version.desc()).limit(10)).scalars())
    approved = next((p for p in rows if p.status == PortraitStatus.APPROVED), None)
    return PortraitView(rows[0] if rows else None, approved)


def _load_for_review(principal: Principal, portrait_id) -> tuple[HealthPortrait, PatientProfile]:
    portrait = db.session.execute(select(HealthPortrait).where(
        HealthPortrait.external_id == parse_id(portrait_id)).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if portrait is None:
        raise NotFound("没有找到这份健康画像。")
    profile = db.session.execute(visible_profiles(principal).where(
        PatientProfile.id == portrait.patient_id)).scalar_one_or_none()
    if profile is None:
        raise NotFound("没有找到这份健康画像。")
    if portrait.status != PortraitStatus.DRAFT:
        raise Conflict("这份健康画像已经审核过或已有更新的版本，请刷新页面。",
                       code="portrait_not_draft")
    return portrait, profile


def approve(principal: Principal, portrait_id, edits: dict[str, str],
            left_out: set[str]) -> HealthPortrait:
    """The doctor's version: their words where they changed them (the evidence stays the
    rules'), without the statements they left out."""
    portrait, profile = _load_for_review(principal, portrait_id)
    keys = {s["key"] for s in portrait.statements}
    unknown = (set(edits) | left_out) - keys
    if unknown:
        raise ValidationFailed("要修改的条目不在这份画像里，请刷新页面。", field="edits")
    reviewed, changed = [], []
    for statement in portrait.statements:
        if statement["key"] in left_out:
            continue
        words = statement["plain"]
        edited = " ".join((edits.get(statement["key"]) or "").split())
        if edited and edited != words:
            if len(edited) > MAX_EDIT:
                raise ValidationFailed(f"每条最多{MAX_EDIT}个字。", field=statement["key"])
            words = edited
            changed.append(statement["key"])
        reviewed.append({**statement, "plain": words,
                         "edited": statement["key"] in changed})
    if not reviewed:
        raise ValidationFailed("至少保留一条内容才能发布；不合适请选择退回。", field="edits")
    portrait.status, portrait.reviewed = PortraitStatus.APPROVED, reviewed
    portrait.reviewed_at, portrait.reviewed_by = utcnow(), principal.staff_id
    audit.record("portrait.approved", "patient_profile", str(profile.external_id),
                 {"portrait": str(portrait.external_id), "version": portrait.version,
                  "edited": changed, "left_out": sorted(left_out)})
    db.session.commit()
    return portrait


def reject(principal: Principal, portrait_id, reason: str) -> HealthPortrait:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("请写明退回的原因。", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"原因最多{MAX_REASON}个字。", field="reason")
    portrait, profile = _load_for_review(principal, portrait_id)
    portrait.status, portrait.rejection_reason = PortraitStatus.REJECTED, reason
    portrait.reviewed_at, portrait.reviewed_by = utcnow(), principal.staff_id
    audit.record("portrait.rejected", "patient_profile", str(profile.external_id),
                 {"portrait": str(portrait.external_id), "version": portrait.version,
                  "reason": reason})
    db.session.commit()
    return portrait


def for_resident(principal: Principal, patient_id) -> dict[str, Any]:
    """The latest approved version in plain words, for the resident (or their family) who has
    agreed to the privacy policy."""
    profile = load_profile(principal, patient_id)
    account = db.session.get(Account, principal.account_id)
    if account.privacy_consented_at is None:
        raise Forbidden("请先阅读并同意隐私政策。", code="consent_required")
    portrait = db.session.execute(select(HealthPortrait).where(
        HealthPortrait.patient_id == profile.id,
        HealthPortrait.status == PortraitStatus.APPROVED)
        .order_by(HealthPortrait.version.desc()).limit(1)).scalar_one_or_none()
    if portrait is None:
        raise NotFound("您的家庭医生还没有审核健康画像，审核后会在这里显示。")
    audit.record("portrait.read", "patient_profile", str(profile.external_id),
                 {"portrait": str(portrait.external_id), "version": portrait.version})
    db.session.commit()
    sections = []
    for key, title in rules.SECTIONS:
        items = [{"text": s["plain"],
                  "evidence": [{"date": e["date"], "label": e["label"]} for e in s["evidence"]]}
                 for s in portrait.reviewed if s["section"] == key]
        if items:
            sections.append({"key": key, "title": title, "statements": items})
    return {"id": portrait.external_id, "version": portrait.version,
            "approved_at": portrait.reviewed_at, "updating": portrait.stale,
            "sections": sections}


def stale_candidates(limit: int = 500) -> list[int]:
    """Patients whose newest portrait is older than their newest report or note."""
    newest = select(HealthPortrait.patient_id, func.max(HealthPortrait.built_at).label("built"))\
        .group_by(HealthPortrait.patient_id).subquery()
    newer_report = select(Report.id).where(Report.patient_id == newest.c.patient_id,
                                           Report.released_at > newest.c.built).exists()
    newer_note = select(PreVisitNote.id).where(PreVisitNote.patient_id == newest.c.patient_id,
                                               PreVisitNote.confirmed_at > newest.c.built)\
        .exists()
    newer_reading = select(VitalReading.id).join(
        Resident, Resident.id == VitalReading.resident_id).where(
        Resident.patient_id == newest.c.patient_id, VitalReading.created_at > newest.c.built)\
        .exists()
    newer_visit = select(FollowUpRecord.id).join(
        Resident, Resident.id == FollowUpRecord.resident_id).where(
        Resident.patient_id == newest.c.patient_id, FollowUpRecord.created_at > newest.c.built)\
        .exists()
    newer_risk_factor = select(RiskFactorEntry.id).join(
        Resident, Resident.id == RiskFactorEntry.resident_id).where(
        Resident.patient_id == newest.c.patient_id, RiskFactorEntry.created_at > newest.c.built)\
        .exists()
    return list(db.session.execute(select(newest.c.patient_id).where(
        or_(newer_report, newer_note, newer_reading, newer_visit, newer_risk_factor))
        .limit(limit)).scalars())


def refresh(patient_id: int) -> str:
    """Mark the current versions stale and queue a new draft, if the data really changed;
    safe to run twice (the second run finds the marks equal)."""
    profile = db.session.get(PatientProfile, patient_id)
    current = db.session.execute(select(HealthPortrait).where(
        HealthPortrait.patient_id == patient_id).order_by(HealthPortrait.version.desc())
        .limit(1).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if profile is None or current is None:
        db.session.rollback()
        return "no-portrait"
    _, mark = gather(profile)
    if mark == current.data_mark:
        current.built_at = utcnow()  # nothing new after all: do not look again
        db.session.commit()
        return "unchanged"
    for row in db.session.execute(select(HealthPortrait).where(
            HealthPortrait.patient_id == patient_id,
            HealthPortrait.status.in_([PortraitStatus.APPROVED, PortraitStatus.DRAFT]))
            .execution_options(populate_existing=True)).scalars():
        row.stale = True
    portrait = _new_version(profile, None)
    audit.record("portrait.requeued", "patient_profile", str(profile.external_id),
                 {"portrait": str(portrait.external_id), "version": portrait.version},
                 actor_kind="system", actor_id="portraits")
    db.session.commit()
    log.info("portrait re-queued for review", extra={"portrait": str(portrait.external_id)})
    return "requeued"


def statements_of(portrait_id) -> list[dict[str, Any]]:
    """The statements in their order (to read a review form); access is checked on review."""
    portrait = db.session.execute(select(HealthPortrait).where(
        HealthPortrait.external_id == parse_id(portrait_id))).scalar_one_or_none()
    return list(portrait.statements) if portrait else []


def resident_id_of(portrait: HealthPortrait):
    return db.session.get(PatientProfile, portrait.patient_id).external_id
