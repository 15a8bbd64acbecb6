"""Payments for hospital admins: reconciliation differences, and the hospital's booking rules."""

from __future__ import annotations

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.payment_admin import BookingRulesSchema, MismatchArgsSchema, MismatchSchema
from backend.services import bookings, reconciliation


@blp.route("/payments/reconciliation", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(MismatchArgsSchema, location="query")
@blp.response(200, envelope(MismatchSchema, many=True))
def list_mismatches(args):
    """Differences between the gateways' daily bills and our ledger (also raised as alerts)."""
    return {"data": reconciliation.list_mismatches(g.principal, args.get("bill_date"))}


@blp.route("/booking-rules", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.response(200, envelope(BookingRulesSchema))
def get_booking_rules():
    """The rules in force at the admin's hospital (defaults with its overrides)."""
    return {"data": bookings.organization_rules(g.principal).as_dict()}


@blp.route("/booking-rules", methods=["PATCH"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(BookingRulesSchema)
@blp.response(200, envelope(BookingRulesSchema))
def update_booking_rules(body):
    """Change some rules; each is checked against its allowed range."""
    return {"data": bookings.set_organization_rules(g.principal, body).as_dict()}
