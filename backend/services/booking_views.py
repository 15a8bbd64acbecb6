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
