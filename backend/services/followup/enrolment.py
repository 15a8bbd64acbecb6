"""Residents in the follow-up programmes (纳入管理): list, read, enrol, change the plan, end.

Every read and change of a resident is audited; the service commits once per use case.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    ProgrammeEnrolment,
    Resident,
    ResidentSource,
    StaffRole,
    StaffUser,
)
from backend.services import access, audit
from backend.services.access import parse_id
from backend.services.followup import education
from backend.services.followup.access import load_enrolment, load_resident, visible_residents
from backend.timeutil import local_today, utcnow
from followup.schedule import FIRST_FOLLOWUP

log = logging.getLogger(__name__)


def list_residents(principal: Principal, limit: int, offset: int,
                   programme: str | None = None) -> tuple[list[Resident], int]:
    query = visible_residents(principal)
    if programme:
        query = query.where(Resident.id.in_(select(ProgrammeEnrolment.resident_id).where(
            ProgrammeEnrolment.programme == programme, ProgrammeEnrolment.ended_on.is_(None))))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(Resident.name, Resident.id).options(
        selectinload(Resident.enrolments).selectinload(ProgrammeEnrolment.doctor))
        .limit(limit).offset(offset)).scalars().all()
    audit.record("followup.resident.list", "staff", principal.actor_external_id,
                 {"count": len(rows), "offset": offset, "programme": programme})
    db.session.commit()
    return list(rows), total


def get_resident(principal: Principal, external_id: str) -> Resident:
    resident = load_resident(principal, external_id)
    audit.record("followup.resident.read", "resident", str(resident.external_id))
    db.session.commit()
    return resident


def resident_from_contract(principal: Principal, patient_external_id: str) -> Resident:
    """The resident record of a 就诊人 signed to a family doctor of this organization (made
    once; a second call returns the same resident)."""
    profile = access.load_profile(principal, patient_external_id)
    resident = db.session.execute(select(Resident).where(
        Resident.document_index == profile.document_index)).scalar_one_or_none()
    if resident is not None:
        if resident.organization_id != principal.organization_id:
            raise Conflict("这位居民由其他机构管理，请先办理转入。", code="managed_elsewhere")
        resident.patient_id = profile.id
    else:
        resident = Resident(
            organization_id=principal.organization_id, name=profile.name, sex=profile.sex,
            birth_date=profile.birth_date, document_type=profile.document_type,
            document_number=profile.document_number, document_index=profile.document_index,
            phone=profile.phone, phone_index=profile.phone_index, patient_id=profile.id,
            source=ResidentSource.CONTRACT.value)
        db.session.add(resident)
        db.session.flush()
    audit.record("followup.resident.from_contract", "resident", str(resident.external_id),
                 {"patient": str(profile.external_id)})
    db.session.commit()
    return resident


def _doctor(principal: Principal, resident: Resident, doctor_id: Any) -> StaffUser:
    """The responsible family doctor: a family doctor enrols for themselves; an admin names an
    active family doctor of the resident's organization."""
    if principal.role == StaffRole.FAMILY_DOCTOR:
        if doctor_id is not None:
            own = db.session.get(StaffUser, principal.staff_id)
            if own.external_id != parse_id(doctor_id):
                raise ValidationFailed("家庭医生只能把居民纳入自己的管理。", field="doctor_id")
        return db.session.get(StaffUser, principal.staff_id)
    if doctor_id is None:
        raise ValidationFailed("请选择责任医生。", field="doctor_id")
    doctor = db.session.execute(select(StaffUser).where(
        StaffUser.external_id == parse_id(doctor_id),
        StaffUser.organization_id == resident.organization_id,
        StaffUser.role == StaffRole.FAMILY_DOCTOR, StaffUser.is_active.is_(True))
    ).scalar_one_or_none()
    if doctor is None:
        raise ValidationFailed("责任医生须是本机构在岗的家庭医生。", field="doctor_id")
    return doctor


def enrol(principal: Principal, resident_external_id: str,
          data: dict[str, Any]) -> ProgrammeEnrolment:
    """Enrol a resident in a programme; the first follow-up is due on the day of enrolment
    (建档即首次随访)."""
    resident = load_resident(principal, resident_external_id)
    today = local_today()
    if not resident.birth_date <= data["diagnosed_on"] <= today:
        raise ValidationFailed("确诊日期应在出生之后、今天之前。", field="diagnosed_on")
    doctor = _doctor(principal, resident, data.get("doctor_id"))
    enrolment = ProgrammeEnrolment(
        resident_id=resident.id, programme=data["programme"], diagnosed_on=data["diagnosed_on"],
        enrolled_on=today, doctor_id=doctor.id, management_level=data["management_level"],
        plan=data.get("plan") or {}, plan_updated_at=utcnow() if data.get("plan") else None,
        next_due_on=today, next_due_rule=FIRST_FOLLOWUP)
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("这位居民已在该项目管理中。", code="already_enrolled",
                       field="programme") from exc
    db.session.refresh(resident, ["enrolments"])
    education.offer(resident, {"new_diagnosis"}, "enrolment")
    audit.record("followup.enrol", "resident", str(resident.external_id),
                 {"programme": enrolment.programme, "enrolment": str(enrolment.external_id),
                  "doctor": str(doctor.external_id), "level": enrolment.management_level})
    db.session.commit()
    log.info("resident enrolled", extra={"enrolment": str(enrolment.external_id),
                                         "programme": enrolment.programme})
    return enrolment


def update_enrolment(principal: Principal, external_id: str,
                     data: dict[str, Any]) -> ProgrammeEnrolment:
    """Change the responsible doctor, the management level or the resident's plan."""
    enrolment = _open(principal, external_id)
    changed = []
    if "doctor_id" in data:
        doctor = _doctor(principal, enrolment.resident, data["doctor_id"])
        if doctor.id != enrolment.doctor_id:
            enrolment.doctor_id = doctor.id
            changed.append("doctor")
    if "management_level" in data and data["management_level"] != enrolment.management_level:
        enrolment.management_level = data["management_level"]
        changed.append("management_level")
    if "plan" in data and data["plan"] != enrolment.plan:
        enrolment.plan = data["plan"]
        enrolment.plan_updated_at = utcnow()
        changed.append("plan")
    audit.record("followup.enrolment.update", "resident", str(enrolment.resident.external_id),
                 {"enrolment": str(enrolment.external_id), "fields": changed})
    db.session.commit()
    return enrolment


def end_enrolment(principal: Principal, external_id: str, reason: str) -> ProgrammeEnrolment:
    enrolment = _open(principal, external_id)
    enrolment.ended_on, enrolment.end_reason = local_today(), reason
    audit.record("followup.enrolment.end", "resident", str(enrolment.resident.external_id),
                 {"enrolment": str(enrolment.external_id), "reason": reason})
    db.session.commit()
    return enrolment


def _open(principal: Principal, external_id: str) -> ProgrammeEnrolment:
    enrolment = load_enrolment(principal, external_id)
    if enrolment.ended_on is not None:
        raise NotFound("这项慢病管理已结束。", code="enrolment_ended")
    return enrolment
