"""The EMR outbox and alerts for hospital admins: what failed, and send it again."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.emr import AlertArgsSchema, AlertSchema, DeliveryArgsSchema, DeliverySchema
from backend.services import alerts


@blp.route("/emr/deliveries", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(DeliveryArgsSchema, location="query")
@blp.response(200, envelope(DeliverySchema, many=True))
def list_deliveries(args):
    """Pre-visit notes on their way to the EMR (`status=dead` for the ones that failed)."""
    return {"data": alerts.list_deliveries(g.principal, args.get("status"))}


@blp.route("/emr/deliveries/<uuid:delivery_id>/redrive", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.response(200, envelope(DeliverySchema))
def redrive(delivery_id: UUID):
    """Send a dead-lettered note again, with a fresh retry window."""
    return {"data": alerts.redrive(g.principal, delivery_id)}


@blp.route("/alerts", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(AlertArgsSchema, location="query")
@blp.response(200, envelope(AlertSchema, many=True))
def list_alerts(args):
    return {"data": alerts.list_alerts(g.principal, args["open"])}


@blp.route("/alerts/<uuid:alert_id>/acknowledge", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.response(200, envelope(AlertSchema))
def acknowledge(alert_id: UUID):
    return {"data": alerts.acknowledge(g.principal, alert_id)}
