"""Booking a slot (预约挂号): the rules, list and cancel bookings, check in and see the queue;
holding a place is `booking_hold`.

A session without a fee (the 接种门诊's programme vaccines are free) is confirmed at once: there
is nothing to pay, so no hold waits for a payment.

A hold is one atomic `UPDATE slot SET booked = booked + 1 WHERE booked < capacity`, so no slot is
ever oversold however many people press at once; the patient's row is locked while their rules
are checked, so two parallel requests cannot both squeeze under the active-booking limit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    Booking,
    BookingStatus,
    Organization,
    Schedule,
    Slot,
)
from backend.services import audit, listings
from backend.services.access import load_profile, parse_id
from backend.services.booking_rules import (
    BookingRules,
    check_in_window,
    validate_overrides,
)
from backend.timeutil import CLINIC_TZ, as_utc, utcnow

log = logging.getLogger(__name__)

_LOADERS = (selectinload(Booking.patient), selectinload(Booking.organization),
            selectinload(Booking.department), selectinload(Booking.doctor),
            selectinload(Booking.slot), selectinload(Booking.schedule))


def rules_for(organization: Organization) -> BookingRules:
    base = BookingRules(hold_minutes=current_app.config["BOOKING_HOLD_MINUTES"])
    return BookingRules.merged(base, organization.booking_rules)


def organization_rules(principal: Principal) -> BookingRules:
    return rules_for(db.session.get(Organization, principal.organization_id))


def set_organization_rules(principal: Principal, overrides: dict[str, Any]) -> BookingRules:
    """Save a hospital's overrides (all checked first; nothing saved if one is wrong)."""
    errors = validate_overrides(overrides)
    if errors:
        field, message = next(iter(errors.items()))
        raise ValidationFailed(message, field=f"rules.{field}")
    organization = db.session.execute(select(Organization).where(
        Organization.id == principal.organization_id).with_for_update()).scalar_one()
    organization.booking_rules = {**(organization.booking_rules or {}), **overrides}
    audit.record("booking_rules.update", "organization", str(organization.external_id),
                 overrides)
    db.session.commit()
    return rules_for(organization)


def _visible(principal: Principal):
    return select(Booking).where(Booking.account_id == principal.account_id).options(*_LOADERS)


def get(principal: Principal, booking_id) -> Booking:
    booking = db.session.execute(_visible(principal).where(
        Booking.external_id == parse_id(booking_id))).scalar_one_or_none()
    if booking is None:
        raise NotFound("没有找到这个预约。")
    return booking


def list_bookings(principal: Principal, patient_id=None) -> list[Booking]:
    query = _visible(principal)
    if patient_id:
        query = query.where(Booking.patient_id == load_profile(principal, patient_id).id)
    audit.record("booking.list", "account", principal.actor_external_id)
    db.session.commit()
    return list(db.session.execute(query.order_by(Booking.clinic_date.desc(), Booking.id.desc())
                                   .limit(100)).scalars())


def lock(booking_id: int) -> Booking:
    """The booking row, locked for the rest of the transaction."""
    return db.session.execute(select(Booking).where(Booking.id == booking_id)
                              .with_for_update()).scalar_one()


def release_slot(booking: Booking) -> None:
    """Give the booking's place back to the pool (in the caller's transaction)."""
    db.session.execute(update(Slot).where(Slot.id == booking.slot_id, Slot.booked > 0)
                       .values(booked=Slot.booked - 1))
    listings.changed(booking.organization_id, booking.department_id)


def retake_slot(booking: Booking) -> bool:
    """Take the place again for a payment that landed after the hold lapsed, if still free."""
    if db.session.get(Schedule, booking.schedule_id).status != "open":
        return False
    taken = db.session.execute(update(Slot).where(Slot.id == booking.slot_id,
                                                  Slot.booked < Slot.capacity)
                               .values(booked=Slot.booked + 1))
    listings.changed(booking.organization_id, booking.department_id)
    return taken.rowcount == 1


def end(booking: Booking, status: BookingStatus, reason: str) -> None:
    """Close a live booking and free its place; the caller handles money and messages."""
    booking.status, booking.ended_at, booking.end_reason = status, utcnow(), reason
    booking.hold_expires_at = None
    release_slot(booking)


def slot_start(booking: Booking) -> datetime:
    return as_utc(booking.slot.starts_at)


def queue_position(booking: Booking) -> dict[str, Any] | None:
    """Where a checked-in patient stands: people ahead and the estimated wait."""
    if booking.queue_number is None:
        return None
    schedule = booking.schedule
    ahead = 0
    if booking.queue_number > schedule.now_serving:
        ahead = db.session.execute(select(func.count()).select_from(Booking).where(
            Booking.schedule_id == schedule.id, Booking.status == BookingStatus.CHECKED_IN,
            Booking.queue_number > schedule.now_serving,
            Booking.queue_number < booking.queue_number)).scalar_one()
    called = booking.queue_number <= schedule.now_serving
    return {"number": booking.queue_number, "ahead": ahead, "now_serving": schedule.now_serving,
            "estimated_wait_minutes": ahead * schedule.minutes_per_patient,
            "status": "called" if called else "waiting"}


def check_in(principal: Principal, booking_id) -> Booking:
    """签到 on the day, inside the hospital's window; hands out the next queue number."""
    booking = get(principal, booking_id)
    if booking.status == BookingStatus.CHECKED_IN:
        return booking
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict("这个预约现在不能签到。", code="not_checkable")
    opens, closes = check_in_window(slot_start(booking), rules_for(booking.organization))
    now = utcnow()
    if now < opens:
        raise Conflict(f"还没到签到时间，请在{opens.astimezone(CLINIC_TZ):%H:%M}以后签到。",
                       code="check_in_not_open")
    if now > closes:
        raise Conflict("已经过了签到时间，请到分诊台咨询。", code="check_in_closed")
    db.session.execute(select(Schedule.id).where(Schedule.id == booking.schedule_id)
                       .with_for_update())
    locked = lock(booking.id)
    if locked.status == BookingStatus.CONFIRMED:
        last = db.session.execute(select(func.max(Booking.queue_number)).where(
            Booking.schedule_id == booking.schedule_id)).scalar_one()
        locked.queue_number = (last or 0) + 1
        locked.status, locked.checked_in_at = BookingStatus.CHECKED_IN, now
        audit.record("booking.check_in", "booking", str(locked.external_id),
                     {"queue_number": locked.queue_number})
    db.session.commit()
    return get(principal, booking_id)
