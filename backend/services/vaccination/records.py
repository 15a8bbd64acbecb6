"""A child's vaccination record and what is due: read by the parent, written by the clinic.

A parent reaches only the 就诊人 of their own account. Clinic staff (接种医生, the hospital's
admin) reach a child who has booked their clinic or has a dose recorded there, or whom they look
up by ID number when the child is in front of them; anyone else is a 404.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, or_, select

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Booking, BookingStatus, PatientProfile, StaffRole, VaccinationRecord
from backend.services import audit
from backend.services.access import load_profile, parse_id
from backend.services.deferred import commit
from backend.services.vaccination import due
from backend.services.vaccination.history import assessment_of, doses_of
from backend.timeutil import local_today, utcnow
from vaccination import DoseGiven, RecordError, assess, programme

log = logging.getLogger(__name__)

CLINIC_ROLES = (StaffRole.VACCINATOR, StaffRole.HOSPITAL_ADMIN)
OBSERVATION = timedelta(minutes=30)  # 预防接种工作规范: 接种后留观30分钟


def _clinic_sees(principal: Principal):
    """SQL condition: the child has booked this clinic's organization or has a dose there."""
    org = principal.organization_id
    return or_(
        exists(select(Booking.id).where(Booking.patient_id == PatientProfile.id,
                                        Booking.organization_id == org)),
        exists(select(VaccinationRecord.id).where(
            VaccinationRecord.patient_id == PatientProfile.id,
            VaccinationRecord.organization_id == org)))


def clinic_child(principal: Principal, child_id) -> PatientProfile:
    child = db.session.execute(select(PatientProfile).where(
        PatientProfile.external_id == parse_id(child_id), PatientProfile.archived_at.is_(None),
        _clinic_sees(principal))).scalar_one_or_none()
    if child is None:
        raise NotFound("没有找到这位儿童。")
    return child


def child_for(principal: Principal, child_id) -> PatientProfile:
    """The child as the caller may see it: a parent's own 就诊人, or a clinic's child."""
    if principal.account_id is not None:
        return load_profile(principal, child_id)
    return clinic_child(principal, child_id)


def overview(principal: Principal, child_id) -> dict[str, Any]:
    """Records, what is due and the doses that do not count, for one child (audited)."""
    child = child_for(principal, child_id)
    records = doses_of(child.id)
    result = assessment_of(child)
    due.follow(child)  # the reminders start once someone looks at the child's vaccination
    audit.record("vaccination.read", "patient_profile", str(child.external_id))
    db.session.commit()
    return {"child": child, "records": records, "assessment": result}


def _document_index(document_number: str) -> str | None:
    try:
        return current_app.extensions["blind_index"].digest(document_number.strip().upper(),
                                                            "document")
    except ValueError:  # nothing left after normalising: no one has that number
        return None


def lookup(principal: Principal, document_number: str) -> PatientProfile:
    """The clinic finds a registered child by the ID number on the 接种证 (a walk-in)."""
    child = db.session.execute(select(PatientProfile).where(
        PatientProfile.document_index == _document_index(document_number),
        PatientProfile.archived_at.is_(None))).scalar_one_or_none()
    audit.record("vaccination.lookup", "patient_profile",
                 str(child.external_id) if child else None, {"found": child is not None})
    db.session.commit()
    if child is None:
        raise NotFound("没有找到这位儿童，请家长先在小程序里添加就诊人。")
    return child


def _check_dose(child: PatientProfile, vaccine: str, dose: int, given_on: date) -> None:
    if vaccine not in programme().vaccines:
        raise ValidationFailed("不认识这个疫苗代码。", field="vaccine")
    if given_on > local_today():
        raise ValidationFailed("接种日期不能在今天之后。", field="given_on")
    try:
        assess(child.birth_date, [DoseGiven(vaccine, dose, given_on)], local_today())
    except RecordError as exc:
        raise ValidationFailed("接种日期早于出生日期。", field="given_on") from exc


def _child_at_clinic(principal: Principal, child_id, document_number: str | None
                     ) -> PatientProfile:
    """A child this clinic sees, or one whose 接种证 ID number the clinic has in hand."""
    if not document_number:
        return clinic_child(principal, child_id)
    child = db.session.execute(select(PatientProfile).where(
        PatientProfile.external_id == parse_id(child_id), PatientProfile.archived_at.is_(None),
        PatientProfile.document_index == _document_index(document_number))).scalar_one_or_none()
    if child is None:
        raise NotFound("没有找到这位儿童。")
    return child


def _complete_visit(principal: Principal, child: PatientProfile, booking: Booking | None) -> None:
    """The child was vaccinated: today's booking here is 已就诊 (never counted as 爽约)."""
    if booking is None:
        booking = db.session.execute(select(Booking).where(
            Booking.patient_id == child.id, Booking.organization_id == principal.organization_id,
            Booking.clinic_date == local_today(),
            Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)))
            .order_by(Booking.id).limit(1)).scalar_one_or_none()
    if booking is not None and booking.status in (BookingStatus.CONFIRMED,
                                                  BookingStatus.CHECKED_IN):
        booking.status = BookingStatus.COMPLETED
        audit.record("booking.complete", "booking", str(booking.external_id),
                     {"reason": "vaccinated"})


def record_dose(principal: Principal, child_id, body: dict[str, Any]) -> VaccinationRecord:
    """The clinic records a dose. Given today: 留观 starts now and the after-care call is set."""
    child = _child_at_clinic(principal, child_id, body.get("document_number"))
    booking = None
    if body.get("booking_id"):
        booking = db.session.execute(select(Booking).where(
            Booking.external_id == parse_id(body["booking_id"]),
            Booking.organization_id == principal.organization_id,
            Booking.patient_id == child.id)).scalar_one_or_none()
        if booking is None:
            raise NotFound("没有找到这个预约。", field="booking_id")
    given_on = body.get("given_on") or local_today()
    _check_dose(child, body["vaccine"], body["dose"], given_on)
    db.session.execute(select(PatientProfile.id).where(PatientProfile.id == child.id)
                       .with_for_update())
    duplicate = db.session.execute(select(VaccinationRecord).where(
        VaccinationRecord.patient_id == child.id, VaccinationRecord.vaccine == body["vaccine"],
        VaccinationRecord.dose == body["dose"], VaccinationRecord.given_on == given_on)
    ).scalar_one_or_none()
    if duplicate is not None:
        db.session.rollback()
        raise Conflict("这一剂已经登记过了。", code="dose_already_recorded")
    now = utcnow()
    today = given_on == local_today()
    record = VaccinationRecord(
        patient_id=child.id, vaccine=body["vaccine"], dose=body["dose"], given_on=given_on,
        source="clinic", organization_id=principal.organization_id,
        recorded_by=principal.staff_id, booking_id=booking.id if booking else None,
        lot_number=body.get("lot_number"), manufacturer=body.get("manufacturer"),
        site=body.get("site"), given_at=now if today else None,
        observe_until=now + OBSERVATION if today else None)
    db.session.add(record)
    db.session.flush()
    if today:
        due.after_dose(record)
        _complete_visit(principal, child, booking)
    due.reschedule(child)
    audit.record("vaccination.record", "vaccination_record", str(record.external_id),
                 {"child": str(child.external_id), "vaccine": record.vaccine,
                  "dose": record.dose, "given_on": given_on.isoformat()})
    commit()
    log.info("dose recorded", extra={"vaccination_record": str(record.external_id)})
    return record
