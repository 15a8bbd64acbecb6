"""A child's vaccinations for the parent: records, what is due and why; booking the 接种门诊."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.common import BEARER, IDEMPOTENCY_HEADER, idempotency_key
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.booking import BookingSchema
from backend.schemas.common import envelope
from backend.schemas.vaccination import (
    AfterCareAnswersSchema,
    AfterCareResultSchema,
    ObservationSchema,
    OverviewSchema,
    QuestionSetSchema,
    ScreeningAnswersSchema,
    ScreeningSchema,
    VaccinationBookingSchema,
)
from backend.services.booking_views import present
from backend.services.vaccination import booking, clinic_visit, records
from backend.services.vaccination.views import overview_view, question_set_view
from vaccination.questionnaires import after_care, health_enquiry


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
    return {"data": present(made, new=created)}, 201 if created else 200


@blp.route("/vaccination/health-questions", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(QuestionSetSchema))
def health_questions():
    """The pre-vaccination health questions (接种前健康询问), with their source."""
    return {"data": question_set_view(health_enquiry())}


@blp.route("/bookings/<uuid:booking_id>/vaccination-screening", methods=["PUT"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ScreeningAnswersSchema)
@blp.response(200, envelope(ScreeningSchema))
def submit_screening(body, booking_id: UUID):
    """Answer every health question for a vaccination visit (from 3 days before); answering
    again replaces the answers. A "yes" the doctor must weigh is marked `for_doctor`."""
    row = clinic_visit.submit_screening(g.principal, booking_id, body["answers"])
    return {"data": clinic_visit.screening_view(row)}


@blp.route("/bookings/<uuid:booking_id>/vaccination-screening", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(ScreeningSchema))
def get_screening(booking_id: UUID):
    return {"data": clinic_visit.screening_view(
        clinic_visit.screening_for(g.principal, booking_id))}


@blp.route("/vaccination/records/<uuid:record_id>/observation", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(ObservationSchema))
def get_observation(record_id: UUID):
    """留观: seconds left of the 30 minutes after the dose, and whether the parent may leave."""
    return {"data": clinic_visit.observation(g.principal, record_id)}


@blp.route("/vaccination/after-care-questions", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(QuestionSetSchema))
def after_care_questions():
    """The after-care questions (fever, swelling, rash, crying, convulsions, breathing)."""
    return {"data": question_set_view(after_care())}


@blp.route("/vaccination/records/<uuid:record_id>/after-care", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(AfterCareAnswersSchema)
@blp.response(201, envelope(AfterCareResultSchema))
def submit_after_care(body, record_id: UUID):
    """The parent's after-care answers, once per dose: the advice to follow now; serious
    answers alert the clinic and open a suspected-AEFI report for it to review."""
    report = clinic_visit.submit_after_care(g.principal, record_id, body["answers"])
    return {"data": clinic_visit.after_care_view(report)}, 201
