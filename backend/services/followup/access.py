"""Who may see which resident of the follow-up programmes.

A family doctor sees the residents they are responsible for in an open enrolment, and residents
signed to them by a family-doctor contract; a hospital admin sees every resident their
organization manages. Anything else is a 404, like every other resource.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, or_, select

from backend.auth import Principal
from backend.errors import NotFound
from backend.extensions import db
from backend.models import ProgrammeEnrolment, Resident, SignedResident, StaffRole
from backend.services.access import parse_id


def visible_residents(principal: Principal) -> Select:
    query = select(Resident)
    if principal.role == StaffRole.HOSPITAL_ADMIN:
        return query.where(Resident.organization_id == principal.organization_id)
    if principal.role == StaffRole.FAMILY_DOCTOR:
        responsible = exists(select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.resident_id == Resident.id,
            ProgrammeEnrolment.doctor_id == principal.staff_id,
            ProgrammeEnrolment.ended_on.is_(None)))
        signed = exists(select(SignedResident.id).where(
            SignedResident.patient_id == Resident.patient_id,
            SignedResident.staff_id == principal.staff_id))
        return query.where(or_(responsible, signed))
    return query.where(False)


def load_resident(principal: Principal, external_id: str | uuid.UUID) -> Resident:
    resident = db.session.execute(visible_residents(principal).where(
        Resident.external_id == parse_id(external_id))).scalar_one_or_none()
    if resident is None:
        raise NotFound("没有找到这位居民。")
    return resident


def load_enrolment(principal: Principal, external_id: str | uuid.UUID) -> ProgrammeEnrolment:
    visible = visible_residents(principal).with_only_columns(Resident.id)
    enrolment = db.session.execute(select(ProgrammeEnrolment).where(
        ProgrammeEnrolment.external_id == parse_id(external_id),
        ProgrammeEnrolment.resident_id.in_(visible))).scalar_one_or_none()
    if enrolment is None:
        raise NotFound("没有找到这项慢病管理。")
    return enrolment
