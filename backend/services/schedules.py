"""Schedules pushed by the HIS (upserted by its own key) and the patient's search for slots.

A schedule becomes visible at its release time (放号: SCHEDULE_RELEASE_DAYS before the clinic
date at SCHEDULE_RELEASE_HOUR); remaining places are read live from the slots.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Department, Doctor, Organization, Schedule, Slot
from backend.services import audit, booking_lifecycle, listings
from backend.services.access import parse_id
from backend.services.deferred import commit
from backend.timeutil import CLINIC_TZ, local_today, utcnow

MAX_SEARCH_DAYS = 14
MAX_DAYS_AHEAD = 366  # no hospital releases further ahead; also keeps date arithmetic in range


def release_time(clinic_date: date) -> datetime:
    config = current_app.config
    day = clinic_date - timedelta(days=config["SCHEDULE_RELEASE_DAYS"])
    return datetime.combine(day, time(config["SCHEDULE_RELEASE_HOUR"]), CLINIC_TZ)


def _department(organization_id: int, code: str, index: int) -> Department:
    department = db.session.execute(select(Department).where(
        Department.organization_id == organization_id, Department.code == code)
    ).scalar_one_or_none()
    if department is None:
        raise ValidationFailed("没有这个科室。", field=f"schedules.{index}.department_code")
    return department


def _doctor(department: Department, doctor_id, index: int) -> Doctor | None:
    if doctor_id is None:
        return None
    doctor = db.session.execute(select(Doctor).where(
        Doctor.external_id == doctor_id, Doctor.department_id == department.id)
    ).scalar_one_or_none()
    if doctor is None:
        raise ValidationFailed("这个科室没有这位医生。", field=f"schedules.{index}.doctor_id")
    return doctor


def _upsert_slots(schedule: Schedule, slots: list[dict[str, Any]], index: int) -> None:
    existing = {slot.starts_at: slot for slot in schedule.slots}
    for item in slots:
        slot = existing.get(item["starts_at"])
        if slot is None:
            schedule.slots.append(Slot(starts_at=item["starts_at"], ends_at=item["ends_at"],
                                       capacity=item["capacity"], booked=0))
            continue
        if item["capacity"] < slot.booked:
            raise Conflict("号源数不能少于已预约人数。", code="capacity_below_bookings",
                           field=f"schedules.{index}.slots")
        slot.ends_at, slot.capacity = item["ends_at"], item["capacity"]


def push(principal: Principal, items: list[dict[str, Any]]) -> list[Schedule]:
    """Create or update the organization's schedules in one transaction (all or nothing)."""
    saved = []
    for index, item in enumerate(items):
        department = _department(principal.organization_id, item["department_code"], index)
        doctor = _doctor(department, item.get("doctor_id"), index)
        schedule = db.session.execute(select(Schedule).where(
            Schedule.organization_id == principal.organization_id,
            Schedule.his_ref == item["his_ref"]).options(selectinload(Schedule.slots))
        ).scalar_one_or_none()
        if schedule is None:
            schedule = Schedule(organization_id=principal.organization_id,
                                his_ref=item["his_ref"], status="open", slots=[])
            db.session.add(schedule)
        else:
            listings.changed(principal.organization_id, schedule.department_id)
        listings.changed(principal.organization_id, department.id)
        schedule.department_id, schedule.doctor_id = department.id, doctor.id if doctor else None
        schedule.clinic_date, schedule.half_day = item["clinic_date"], item["half_day"]
        schedule.registration_type, schedule.fee_fen = item["registration_type"], item["fee_fen"]
        schedule.release_at = release_time(item["clinic_date"])
        _upsert_slots(schedule, item["slots"], index)
        saved.append(schedule)
    db.session.flush()
    audit.record("schedule.push", "organization", str(principal.organization_id),
                 {"count": len(saved)})
    db.session.commit()
    return saved


def _own(principal: Principal, schedule_id) -> Schedule:
    schedule = db.session.execute(select(Schedule).where(
        Schedule.external_id == parse_id(schedule_id),
        Schedule.organization_id == principal.organization_id)
        .with_for_update()).scalar_one_or_none()
    if schedule is None:
        raise NotFound("没有找到这个排班。")
    return schedule


def stop(principal: Principal, schedule_id, reason: str) -> Schedule:
    """停诊: the session closes to new bookings; its bookings are stopped, refunded and told."""
    schedule = _own(principal, schedule_id)
    if schedule.status != "stopped":
        schedule.status, schedule.stop_reason, schedule.stopped_at = "stopped", reason, utcnow()
        stopped = booking_lifecycle.stop_bookings(schedule, reason)
        listings.changed(schedule.organization_id, schedule.department_id)
        audit.record("schedule.stop", "schedule", str(schedule.external_id),
                     {"reason": reason, "bookings": stopped})
    commit()
    return schedule


def update_queue(principal: Principal, schedule_id, board: dict[str, Any]) -> Schedule:
    """The HIS's call board (叫号): the number now called and the pace per patient."""
    schedule = _own(principal, schedule_id)
    listings.changed(schedule.organization_id, schedule.department_id)  # the listing shows it
    schedule.now_serving = max(schedule.now_serving, board["now_serving"])
    if board.get("minutes_per_patient"):
        schedule.minutes_per_patient = board["minutes_per_patient"]
    db.session.commit()
    return schedule


def _search_window(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The days to list: from today on, within a year, at most MAX_SEARCH_DAYS at a time; each
    refusal names what is wrong with the dates asked for."""
    today = local_today()
    if date_from and date_to and date_to < date_from:
        raise ValidationFailed("结束日期不能早于开始日期。", field="date_to")
    if date_to and date_to < today:
        raise ValidationFailed("只能查今天及以后的号源。", field="date_to")
    start = max(date_from or today, today)
    if (start - today).days > MAX_DAYS_AHEAD:
        raise ValidationFailed("只能查一年以内的号源。", field="date_from")
    end = date_to or start + timedelta(days=MAX_SEARCH_DAYS - 1)
    if (end - start).days >= MAX_SEARCH_DAYS:
        raise ValidationFailed(f"一次最多查{MAX_SEARCH_DAYS}天。", field="date_to")
    return start, end


def listing(hospital_id, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Released open sessions of a hospital with their slots and remaining places, shaped as
    `ScheduleSchema` dumps them, in two plain queries (sessions, then their slots): on 放号 day
    a cache miss must cost little. `tests/api/test_schedules.py` holds it to the schema."""
    organization_id = db.session.execute(select(Organization.id).where(
        Organization.external_id == parse_id(hospital_id))).scalar_one_or_none()
    if organization_id is None:
        raise NotFound("没有找到这家医院。")
    start, end = _search_window(args.get("date_from"), args.get("date_to"))
    query = (select(Schedule.id, Schedule.external_id, Schedule.his_ref, Schedule.clinic_date,
                    Schedule.half_day, Schedule.registration_type, Schedule.fee_fen,
                    Schedule.status, Schedule.now_serving, Schedule.minutes_per_patient,
                    Department.external_id, Department.name, Doctor.external_id, Doctor.name,
                    Doctor.title)
             .join(Department, Department.id == Schedule.department_id)
             .outerjoin(Doctor, Doctor.id == Schedule.doctor_id)
             .where(Schedule.organization_id == organization_id, Schedule.status == "open",
                    Schedule.release_at <= utcnow(), Schedule.clinic_date.between(start, end))
             .order_by(Schedule.clinic_date, Schedule.half_day, Schedule.id))
    if args.get("department_id"):
        query = query.where(Department.external_id == args["department_id"])
    if args.get("doctor_id"):
        query = query.where(Doctor.external_id == args["doctor_id"])
    sessions = {}
    for (row_id, external_id, his_ref, clinic_date, half_day, registration_type, fee_fen,
         status, now_serving, minutes, department_id, department_name, doctor_id, doctor_name,
         doctor_title) in db.session.execute(query):
        sessions[row_id] = {
            "id": str(external_id), "his_ref": his_ref, "department_id": str(department_id),
            "department_name": department_name, "clinic_date": clinic_date.isoformat(),
            "half_day": half_day, "registration_type": registration_type, "fee_fen": fee_fen,
            "status": status, "now_serving": now_serving, "minutes_per_patient": minutes,
            "slots": []}
        if doctor_id is not None:  # a session without a named doctor has no doctor keys
            sessions[row_id].update(doctor_id=str(doctor_id), doctor_name=doctor_name,
                                    doctor_title=doctor_title)
    if sessions:
        slots = db.session.execute(
            select(Slot.schedule_id, Slot.external_id, Slot.starts_at, Slot.ends_at,
                   Slot.capacity, Slot.booked)
            .where(Slot.schedule_id.in_(list(sessions))).order_by(Slot.schedule_id,
                                                                  Slot.starts_at))
        for schedule_id, external_id, starts_at, ends_at, capacity, booked in slots:
            sessions[schedule_id]["slots"].append({
                "id": str(external_id), "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(), "capacity": capacity,
                "remaining": max(capacity - booked, 0)})
    return list(sessions.values())
