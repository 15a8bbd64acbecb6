"""How bookings end: cancelled by the patient, expired unpaid, stopped by the hospital (停诊),
missed (爽约); and the day-before reminder. Each ends the booking, frees its place, settles the
money (close the unpaid order, refund the paid one) and tells the patient, in one transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict
from backend.extensions import db
from backend.models import Booking, BookingStatus, Schedule, Slot
from backend.services import audit, bookings, messages, payments
from backend.services.booking_rules import can_cancel
from backend.services.deferred import commit, defer
from backend.timeutil import CLINIC_TZ, as_utc, local_today, utcnow
from payments.gateway import TradeState

log = logging.getLogger(__name__)

BATCH = 500


def _settle(booking: Booking, status: BookingStatus, reason: str, source: str) -> None:
    """End a live booking and put its money right (the caller commits)."""
    was_paid = booking.status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
    bookings.end(booking, status, reason)
    for order in payments.closing_orders(booking, source, reason):
        defer("backend.jobs.payments:close_order", order.id, queue="payments")
    if was_paid:
        order = payments.paid_order(booking)
        if order is not None:
            payments.request_refund(order, reason, source)


def cancel(principal: Principal, booking_id, reason: str | None) -> Booking:
    """The patient cancels: a hold any time; a paid booking until the cut-off, fully refunded."""
    booking = bookings.get(principal, booking_id)
    locked = bookings.lock(booking.id)
    if locked.status == BookingStatus.CANCELLED:
        db.session.rollback()
        return booking
    if locked.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        db.session.rollback()
        raise Conflict("这个预约现在不能取消了。", code="not_cancellable")
    if locked.status == BookingStatus.CONFIRMED and not can_cancel(
            bookings.slot_start(booking), utcnow(), bookings.rules_for(booking.organization)):
        db.session.rollback()
        raise Conflict("已过取消时间，不能在线取消了。如有需要请联系医院。",
                       code="cancel_deadline_passed")
    paid = locked.status == BookingStatus.CONFIRMED
    _settle(locked, BookingStatus.CANCELLED, reason or "患者取消预约", "api")
    if paid:
        messages.notify(locked, "cancelled", {"reason": "预约已取消，挂号费将原路退回。"
                                              if locked.fee_fen else "预约已取消。"})
    audit.record("booking.cancel", "booking", str(locked.external_id), {"paid": paid})
    commit()
    return bookings.get(principal, booking_id)


def expire_hold(booking_id: int) -> str:
    """End an unpaid hold whose time is up — unless the money did arrive and we missed it."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.status != BookingStatus.HELD:
        return "not-held"
    order = payments.latest_order(booking)
    if order is not None and order.status == "created":
        status = payments.query_gateway(order)
        if status is not None and status.state == TradeState.PAID:
            payments.apply_payment(status, source="query")
            return "paid"
    locked = bookings.lock(booking_id)
    if locked.status != BookingStatus.HELD or as_utc(locked.hold_expires_at) > utcnow():
        db.session.rollback()
        return "not-due"
    _settle(locked, BookingStatus.EXPIRED, "未在规定时间内支付，号源已释放", "job")
    audit.record("booking.expire", "booking", str(locked.external_id))
    commit()
    log.info("hold expired", extra={"booking": str(locked.external_id)})
    return "expired"


def due_holds() -> list[int]:
    return list(db.session.execute(select(Booking.id).where(
        Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= utcnow())
        .order_by(Booking.hold_expires_at).limit(BATCH)).scalars())


def stop_bookings(schedule: Schedule, reason: str) -> int:
    """停诊: every live booking of the session is stopped, refunded and told (caller commits)."""
    ids = db.session.execute(select(Booking.id).where(
        Booking.schedule_id == schedule.id,
        Booking.status.in_((BookingStatus.HELD, BookingStatus.CONFIRMED)))).scalars().all()
    for booking_id in ids:
        booking = bookings.lock(booking_id)
        paid = booking.status == BookingStatus.CONFIRMED
        _settle(booking, BookingStatus.STOPPED, f"医生停诊：{reason}"[:200], "his")
        if paid:
            messages.notify(booking, "stopped",
                            {"reason": "医生停诊，预约已取消，挂号费原路退回。"})
    return len(ids)


def mark_no_shows() -> int:
    """爽约: paid bookings of past sessions that never checked in (run after clinics close)."""
    today = local_today()
    ids = db.session.execute(select(Booking.id).join(Slot, Slot.id == Booking.slot_id).where(
        Booking.status == BookingStatus.CONFIRMED, Booking.clinic_date <= today,
        Slot.ends_at < utcnow() - timedelta(hours=2)).limit(BATCH * 4)).scalars().all()
    for booking_id in ids:
        booking = bookings.lock(booking_id)
        if booking.status == BookingStatus.CONFIRMED:
            booking.status, booking.ended_at = BookingStatus.NO_SHOW, utcnow()
            booking.end_reason = "未签到就诊"
            audit.record("booking.no_show", "booking", str(booking.external_id))
    commit()
    return len(ids)


def send_reminders() -> int:
    """The day-before reminder for every confirmed booking of tomorrow not yet reminded."""
    tomorrow = (utcnow().astimezone(CLINIC_TZ) + timedelta(days=1)).date()
    ids = db.session.execute(select(Booking.id).where(
        Booking.status == BookingStatus.CONFIRMED, Booking.clinic_date == tomorrow,
        Booking.reminded_at.is_(None)).limit(BATCH * 4)).scalars().all()
    for booking_id in ids:
        booking = bookings.lock(booking_id)
        if booking.status == BookingStatus.CONFIRMED and booking.reminded_at is None:
            booking.reminded_at = utcnow()
            messages.notify(booking, "reminder", {})
    commit()
    return len(ids)
