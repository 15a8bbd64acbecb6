"""Which 就诊人 a report is about: by the hospital's patient id or the resident ID number, both
through blind indexes; never by name. A conflict or an unknown patient waits for an admin."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select

from backend.extensions import db
from backend.models import Organization, PatientLink, PatientProfile
from reports.model import PatientIdentifiers

HOSPITAL_ID_KIND = "hospital_patient"
DOCUMENT_KIND = "document"  # the kind backend/services/profiles.py indexes ID numbers with


@dataclass(frozen=True)
class Match:
    patient: PatientProfile | None
    hospital_patient_index: str | None
    resident_index: str | None
    problem: str = ""  # why it did not match, for the admin alert


def _digest(value: str, kind: str) -> str:
    return current_app.extensions["blind_index"].digest(value, kind)


def hospital_index(organization: Organization, hospital_patient_id: str) -> str:
    """Hospital patient ids are unique only within their hospital, so the code is hashed in."""
    return _digest(f"{organization.code}:{hospital_patient_id}", HOSPITAL_ID_KIND)


def match(organization: Organization, ids: PatientIdentifiers) -> Match:
    hospital = hospital_index(organization, ids.hospital_patient_id) \
        if ids.hospital_patient_id else None
    resident = _digest(ids.resident_id, DOCUMENT_KIND) if ids.resident_id else None
    linked, by_id_number = _candidates(organization, hospital, resident)
    if linked and by_id_number and linked.id != by_id_number.id:
        return Match(None, hospital, resident, "医院患者号与身份证号对应的是两位不同的就诊人")
    patient = linked or by_id_number
    if patient is None:
        return Match(None, hospital, resident, "没有找到与报告身份信息对应的就诊人")
    if ids.birth_date and ids.birth_date != patient.birth_date:
        return Match(None, hospital, resident, "报告上的出生日期与就诊人登记的不一致")
    if ids.sex and ids.sex != patient.sex:
        return Match(None, hospital, resident, "报告上的性别与就诊人登记的不一致")
    if hospital and linked is None:
        remember(organization.id, hospital, patient.id)
    return Match(patient, hospital, resident)


def _candidates(organization: Organization, hospital: str | None, resident: str | None
                ) -> tuple[PatientProfile | None, PatientProfile | None]:
    """(the profile linked to the hospital's id, the profile with that ID number), in one query."""
    linked_ids = select(PatientLink.patient_id).where(
        PatientLink.organization_id == organization.id,
        PatientLink.hospital_patient_index == (hospital or ""))
    rows = db.session.execute(
        select(PatientProfile, PatientProfile.id.in_(linked_ids).label("linked")).where(
            PatientProfile.archived_at.is_(None),
            or_(PatientProfile.id.in_(linked_ids),
                PatientProfile.document_index == (resident or "")))).all()
    linked = next((profile for profile, is_linked in rows if is_linked and hospital), None)
    by_id_number = next((profile for profile, _ in rows
                         if resident and profile.document_index == resident), None)
    return linked, by_id_number


def remember(organization_id: int, hospital_patient_index: str, patient_id: int) -> None:
    """Learn the hospital's id for this person (an ID-number match, or an admin's)."""
    if any(isinstance(row, PatientLink) and row.organization_id == organization_id
           and row.hospital_patient_index == hospital_patient_index for row in db.session.new):
        return  # learned from an earlier message of the same batch
    exists = db.session.execute(select(PatientLink).where(
        PatientLink.organization_id == organization_id,
        PatientLink.hospital_patient_index == hospital_patient_index)).scalar_one_or_none()
    if exists is None:
        db.session.add(PatientLink(organization_id=organization_id,
                                   hospital_patient_index=hospital_patient_index,
                                   patient_id=patient_id))
