"""Booking a 接种门诊 session with the booking engine (`services.bookings`): its slots, holds,
rules and cancellation, plus the vaccination rules — the session must be a vaccination clinic's,
the person a child, and a child has one vaccination visit a day, whichever clinic."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict
from backend.extensions import db
from backend.models import ACTIVE_STATUSES, Booking, Department, PatientProfile, Slot
from backend.services import booking_hold
from backend.services.vaccination import due
from backend.timeutil import age_on, local_today

CHILD_UNTIL_AGE = 18  # 补种通用原则: the programme concerns children under 18


def vaccination_departments() -> tuple[str, ...]:
    return tuple(current_app.config["VACCINATION_DEPARTMENTS"])


def _one_visit_a_day(child: PatientProfile, slot: Slot) -> None:
    department = slot.schedule.department
    if department.code not in vaccination_departments():
        raise Conflict("这个号源不是接种门诊的，请选择接种门诊的时间。",
                       code="not_a_vaccination_session", field="slot_id")
    if age_on(child.birth_date, local_today()) >= CHILD_UNTIL_AGE:
        raise Conflict("儿童接种门诊只为18岁以下的孩子预约。", code="not_a_child",
                       field="patient_id")
    same_day = db.session.execute(select(Booking.id).join(
        Department, Department.id == Booking.department_id).where(
        Booking.patient_id == child.id, Booking.clinic_date == slot.schedule.clinic_date,
        Booking.status.in_(ACTIVE_STATUSES),
        Department.code.in_(vaccination_departments()))).first()
    if same_day is not None:
        raise Conflict("孩子这一天已经预约了接种，一天只能预约一次。",
                       code="duplicate_booking", field="slot_id")
    due.follow(child)


def book(principal: Principal, args: dict[str, Any], key: str | None) -> tuple[Booking, bool]:
    place = {"patient_id": args["child_id"], "slot_id": args["slot_id"]}
    return booking_hold.hold(principal, place, key, journey_check=_one_visit_a_day)
