"""Reports that arrived before their patient could be matched: matched later, by a 就诊人
registering with the same ID number (periodic job) or by an admin, then released."""

from __future__ import annotations

from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.models import CriticalAlert, PatientProfile, Report
from backend.services import audit
from backend.services.access import parse_id
from backend.services.deferred import commit
from backend.services.reports import critical, delivery
from backend.services.reports.matching import remember
from backend.timeutil import utcnow

RELEASED = {"final", "corrected"}


def _attach(report: Report, patient: PatientProfile, how: str) -> None:
    report.patient_id, report.matched_at = patient.id, utcnow()
    if report.hospital_patient_index:
        remember(report.organization_id, report.hospital_patient_index, patient.id)
    audit.record("report.matched", "report", str(report.external_id),
                 {"patient": str(patient.external_id), "how": how},
                 **({} if how == "admin" else {"actor_kind": "system",
                                               "actor_id": "report-matching"}))
    if report.status in RELEASED:
        delivery.release(report)
    if not report.confidential:
        for alert in db.session.execute(select(CriticalAlert).where(
                CriticalAlert.report_id == report.id,
                CriticalAlert.patient_notified_at.is_(None))).scalars():
            if critical.clinician_channel_fired(alert):
                critical.tell_patient(alert)


def match_waiting(limit: int = 500) -> int:
    rows = db.session.execute(
        select(Report, PatientProfile)
        .join(PatientProfile, PatientProfile.document_index == Report.resident_index)
        .where(Report.patient_id.is_(None), Report.resident_index.is_not(None),
               PatientProfile.archived_at.is_(None))
        .limit(limit).with_for_update(of=Report, skip_locked=True)).all()
    for report, patient in rows:
        _attach(report, patient, "id_number")
    commit()
    return len(rows)


def list_unmatched(principal: Principal) -> list[Report]:
    return list(db.session.execute(select(Report).where(
        Report.organization_id == principal.organization_id, Report.patient_id.is_(None))
        .order_by(Report.created_at.desc()).limit(200)).scalars())


def match_by_admin(principal: Principal, report_id, patient_id) -> Report:
    """An admin who checked the paper trail names the 就诊人 (any account's: the hospital
    knows the person; the patient's own account then sees the report)."""
    report = db.session.execute(select(Report).where(
        Report.external_id == parse_id(report_id),
        Report.organization_id == principal.organization_id).with_for_update()
    ).scalar_one_or_none()
    if report is None:
        raise NotFound("没有找到这份报告。")
    if report.patient_id is not None:
        raise Conflict("这份报告已经有对应的就诊人了。", code="already_matched")
    patient = db.session.execute(select(PatientProfile).where(
        PatientProfile.external_id == parse_id(patient_id),
        PatientProfile.archived_at.is_(None))).scalar_one_or_none()
    if patient is None:
        raise NotFound("没有找到这位就诊人。")
    _attach(report, patient, "admin")
    commit()
    return report
