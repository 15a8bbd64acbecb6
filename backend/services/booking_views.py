"""A booking as the patient sees it: its state in words, the money, what they can do next."""

from __future__ import annotations

from typing import Any

from backend.models import Booking, PaymentOrder
from backend.services import bookings, payments
from backend.services.booking_rules import can_cancel, cancel_deadline
from backend.timeutil import utcnow

STATUS_LABELS = {"held": "待支付", "confirmed": "预约成功", "checked_in": "已签到",
                 "completed": "已就诊", "cancelled": "已取消", "expired": "已超时",
                 "stopped": "医生停诊", "no_show": "爽约"}
REFUND_LABELS = {"refunding": "退款中", "refunded": "已退款"}


def _payment(order: PaymentOrder | None) -> dict[str, Any] | None:
    if order is None:
        return None
    return {"status": order.status, "channel": order.channel, "amount_fen": order.amount_fen,
            "refund_status": order.status if order.status in REFUND_LABELS else None,
            "refund_label": REFUND_LABELS.get(order.status), "refund_reason": order.refund_reason,
            "paid_at": order.paid_at, "refunded_at": order.refunded_at}


def present(booking: Booking, new: bool = False) -> dict[str, Any]:
    """`new`: the booking was made by this request, so it has no payment yet (no query)."""
    rules = bookings.rules_for(booking.organization)
    start = bookings.slot_start(booking)
    return {
        "booking": booking, "status_label": STATUS_LABELS[booking.status],
        "starts_at": booking.slot.starts_at, "ends_at": booking.slot.ends_at,
        "half_day": booking.schedule.half_day,
        "registration_type": booking.schedule.registration_type,
        "cancel_deadline": cancel_deadline(start, rules),
        "can_cancel": booking.status == "held" or (
            booking.status == "confirmed" and can_cancel(start, utcnow(), rules)),
        "payment": None if new else _payment(payments.latest_order(booking)),
        "queue": bookings.queue_position(booking),
    }


def _ref(row) -> dict[str, str] | None:
    return None if row is None else {"id": str(row.external_id), "name": row.name}


def _iso(moment) -> str | None:
    return None if moment is None else moment.isoformat()


def new_hold_json(booking: Booking) -> dict[str, Any]:
    """A booking this request just made, as `BookingSchema` dumps it (a new booking has no
    payment and no queue number yet), built directly: the hold is the busiest write on 放号 day
    and this shape needs no schema machinery. `test_booking_holds` checks it against the
    schema's own answer to a retry of the same hold."""
    view = present(booking, new=True)
    return {
        "id": str(booking.external_id), "status": str(booking.status),
        "status_label": view["status_label"], "patient": _ref(booking.patient),
        "hospital": _ref(booking.organization), "department": _ref(booking.department),
        "doctor": _ref(booking.doctor), "clinic_date": booking.clinic_date.isoformat(),
        "half_day": view["half_day"], "starts_at": _iso(view["starts_at"]),
        "ends_at": _iso(view["ends_at"]), "registration_type": view["registration_type"],
        "fee_fen": booking.fee_fen, "hold_expires_at": _iso(booking.hold_expires_at),
        "end_reason": booking.end_reason, "cancel_deadline": _iso(view["cancel_deadline"]),
        "can_cancel": view["can_cancel"], "payment": None, "queue": None,
    }
