"""Booking and paying: hold a slot, pay, cancel, check in, see the queue, choose messages."""

from __future__ import annotations

from uuid import UUID

from flask import current_app, g

from backend.api.common import BEARER, IDEMPOTENCY_HEADER, idempotency_key
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.errors import Conflict
from backend.schemas.booking import (
    BookingCancelSchema,
    BookingCreateSchema,
    BookingListArgsSchema,
    BookingSchema,
    PaymentCreateSchema,
    PaymentSchema,
    QueueSchema,
    SubscriptionChoicesSchema,
    SubscriptionsSchema,
)
from backend.schemas.common import envelope
from backend.services import booking_hold, booking_lifecycle, bookings, messages, payments
from backend.services.booking_views import new_hold_json, present


@blp.route("/bookings", methods=["POST"])
@blp.doc(security=BEARER, parameters=[IDEMPOTENCY_HEADER])
@require_account
@blp.arguments(BookingCreateSchema)
@blp.response(201, envelope(BookingSchema))
@blp.alt_response(200, schema=envelope(BookingSchema),
                  description="A retry with the same Idempotency-Key: the booking it made.")
def hold_slot(body):
    """Hold one place in a slot for a 就诊人; pay before `hold_expires_at` or it is released."""
    booking, created = booking_hold.hold(g.principal, body, idempotency_key())
    if created:  # the common answer, without a schema dump (same JSON: new_hold_json)
        return current_app.json.response({"data": new_hold_json(booking)}), 201
    return {"data": present(booking)}, 200


@blp.route("/bookings", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(BookingListArgsSchema, location="query")
@blp.response(200, envelope(BookingSchema, many=True))
def list_bookings(args):
    """The account's bookings, newest visit first (at most 100)."""
    found = bookings.list_bookings(g.principal, args.get("patient_id"))
    return {"data": [present(b) for b in found]}


@blp.route("/bookings/<uuid:booking_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(BookingSchema))
def get_booking(booking_id: UUID):
    return {"data": present(bookings.get(g.principal, booking_id))}


@blp.route("/bookings/<uuid:booking_id>/payments", methods=["POST"])
@blp.doc(security=BEARER, parameters=[IDEMPOTENCY_HEADER])
@require_account
@blp.arguments(PaymentCreateSchema)
@blp.response(201, envelope(PaymentSchema))
def pay(body, booking_id: UUID):
    """Place the payment order; `params` go straight to wx.requestPayment / my.tradePay.
    The booking is confirmed when the gateway tells us the money arrived."""
    return {"data": payments.start(g.principal, booking_id, body["channel"],
                                   idempotency_key())}


@blp.route("/bookings/<uuid:booking_id>/cancel", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(BookingCancelSchema)
@blp.response(200, envelope(BookingSchema))
def cancel(body, booking_id: UUID):
    """Cancel a hold, or a paid booking before the cut-off (full refund, original channel)."""
    return {"data": present(booking_lifecycle.cancel(g.principal, booking_id,
                                                     body.get("reason")))}


@blp.route("/bookings/<uuid:booking_id>/check-in", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(BookingSchema))
def check_in(booking_id: UUID):
    """签到 on the day of the visit, inside the hospital's window; returns the queue number."""
    return {"data": present(bookings.check_in(g.principal, booking_id))}


@blp.route("/bookings/<uuid:booking_id>/queue", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(QueueSchema))
def queue(booking_id: UUID):
    """People ahead and the estimated wait, from the clinic's call board."""
    position = bookings.queue_position(bookings.get(g.principal, booking_id))
    if position is None:
        raise Conflict("签到以后才能看排队情况。", code="not_checked_in")
    return {"data": position}


@blp.route("/subscriptions", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(SubscriptionsSchema))
def get_subscriptions():
    """The message templates to ask for, and which the patient has accepted."""
    return {"data": messages.subscriptions(g.principal)}


@blp.route("/subscriptions", methods=["PUT"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(SubscriptionChoicesSchema)
@blp.response(200, envelope(SubscriptionsSchema))
def record_subscriptions(body):
    """Store the result of wx.requestSubscribeMessage / my.requestSubscribeMessage as is."""
    return {"data": messages.record_choices(g.principal, body["results"])}
