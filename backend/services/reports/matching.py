"""Which 就诊人 a report is about: by the hospital's patient id or the resident ID number, both
through blind indexes; never by name. A conflict or an unknown patient waits for an admin."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, false, or_, select, tuple_

from backend.extensions import db
from backend.models import PatientLink, PatientProfile
from backend.services.reports.rules import Hospital
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


def hospital_index(organization: Hospital, hospital_patient_id: str) -> str:
    """Hospital patient ids are unique only within their hospital, so the code is hashed in."""
    return _digest(f"{organization.code}:{hospital_patient_id}", HOSPITAL_ID_KIND)


def match(organization: Hospital, ids: PatientIdentifiers) -> Match:
    [found] = match_many([(organization, ids)])
    return found


def match_many(wanted: list[tuple[Hospital, PatientIdentifiers]]) -> list[Match]:
    """Each report's patient, looked up for a whole batch of messages in one query. A link
    learned from one report (by its ID number) serves the next report of the same batch."""
    keys = [(organization,
             hospital_index(organization, ids.hospital_patient_id)
             if ids.hospital_patient_id else None,
             _digest(ids.resident_id, DOCUMENT_KIND) if ids.resident_id else None)
            for organization, ids in wanted]
    linked, by_id_number = _candidates(keys)
    found = []
    for (organization, hospital, resident), (_, ids) in zip(keys, wanted, strict=True):
        one = _decide(ids, hospital, resident, linked.get((organization.id, hospital)),
                      by_id_number.get(resident))
        if one.patient is not None and hospital and (organization.id, hospital) not in linked:
            remember(organization.id, hospital, one.patient.id)
            linked[(organization.id, hospital)] = one.patient
        found.append(one)
    return found


def _decide(ids: PatientIdentifiers, hospital: str | None, resident: str | None,
            linked: PatientProfile | None, by_id_number: PatientProfile | None) -> Match:
    if linked and by_id_number and linked.id != by_id_number.id:
        return Match(None, hospital, resident, "医院患者号与身份证号对应的是两位不同的就诊人")
    patient = linked or by_id_number
    if patient is None:
        return Match(None, hospital, resident, "没有找到与报告身份信息对应的就诊人")
    if ids.birth_date and ids.birth_date != patient.birth_date:
        return Match(None, hospital, resident, "报告上的出生日期与就诊人登记的不一致")
    if ids.sex and ids.sex != patient.sex:
        return Match(None, hospital, resident, "报告上的性别与就诊人登记的不一致")
    return Match(patient, hospital, resident)


def _candidates(keys: list[tuple[Hospital, str | None, str | None]]
                ) -> tuple[dict[tuple[int, str], PatientProfile], dict[str, PatientProfile]]:
    """(profiles by the hospital's id they are linked to, profiles by ID number), one query."""
    hospital_ids = sorted({(o.id, hospital) for o, hospital, _ in keys if hospital})
    residents = sorted({resident for _, _, resident in keys if resident})
    if not hospital_ids and not residents:
        return {}, {}
    link = and_(PatientLink.patient_id == PatientProfile.id,
                tuple_(PatientLink.organization_id, PatientLink.hospital_patient_index)
                .in_(hospital_ids) if hospital_ids else false())
    rows = db.session.execute(
        select(PatientProfile, PatientLink.organization_id, PatientLink.hospital_patient_index)
        .outerjoin(PatientLink, link)
        .where(PatientProfile.archived_at.is_(None),
               or_(PatientLink.id.is_not(None), PatientProfile.document_index.in_(residents)))
        .order_by(PatientProfile.id)).all()
    linked = {(organization_id, hospital): profile
              for profile, organization_id, hospital in rows if hospital}
    by_id_number: dict[str, PatientProfile] = {}
    for profile, _, _ in rows:
        if profile.document_index in residents:
            by_id_number.setdefault(profile.document_index, profile)
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
