"""A child's vaccinations for the parent: records, what is due and why; booking the 接种门诊."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.common import BEARER, IDEMPOTENCY_HEADER, idempotency_key
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.booking import BookingSchema
from backend.schemas.common import envelope
from backend.schemas.vaccination import OverviewSchema, VaccinationBookingSchema
from backend.services.booking_views import present
from backend.services.vaccination import booking, records
from backend.services.vaccination.views import overview_view


@blp.route("/children/<uuid:child_id>/vaccination", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(OverviewSchema))
def child_vaccination(child_id: UUID):
    """Doses on record, and each programme dose's state today (overdue and due first) with the
    earliest and latest dates and the rule of the schedule that decided it."""
    return {"data": overview_view(records.overview(g.principal, child_id))}


@blp.route("/vaccination/bookings", methods=["POST"])
@blp.doc(security=BEARER, parameters=[IDEMPOTENCY_HEADER])
@require_account
@blp.arguments(VaccinationBookingSchema)
@blp.response(201, envelope(BookingSchema))
@blp.alt_response(200, schema=envelope(BookingSchema),
                  description="A retry with the same Idempotency-Key: the booking it made.")
def book_vaccination(body):
    """Book a 接种门诊 session for a child: one vaccination visit a day; a free session is
    confirmed at once. Cancel with POST /bookings/{id}/cancel."""
    made, created = booking.book(g.principal, body, idempotency_key())
    return {"data": present(made)}, 201 if created else 200
