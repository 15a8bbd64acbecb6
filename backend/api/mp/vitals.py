"""A resident's own blood pressure and glucose: record one (assessed at once) and see them."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.common import envelope
from backend.schemas.vitals import (
    EducationArgsSchema,
    EducationDeliverySchema,
    ReminderConsentArgsSchema,
    ReminderConsentSchema,
    ReminderConsentUpdateSchema,
    VitalCreateSchema,
    VitalHistoryArgsSchema,
    VitalHistorySchema,
    VitalRecordedSchema,
)
from backend.services.followup import consent, education, vitals


@blp.route("/vitals", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(VitalCreateSchema)
@blp.response(201, envelope(VitalRecordedSchema))
def record_vital(body):
    """Record a reading; the answer says what it means now (urgent: call 120)."""
    return {"data": vitals.record_reading(g.principal, body)}


@blp.route("/vitals", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(VitalHistoryArgsSchema, location="query")
@blp.response(200, envelope(VitalHistorySchema))
def vital_history(args):
    """Readings of the last days, oldest first, with the target band for the chart."""
    return {"data": vitals.history(g.principal, args["patient_id"], args["days"])}


@blp.route("/education", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(EducationArgsSchema, location="query")
@blp.response(200, envelope(EducationDeliverySchema, many=True))
def list_education(args):
    """Health education offered to this resident, newest first, with what was read."""
    return {"data": education.list_for(g.principal, args["patient_id"])}


@blp.route("/education/<uuid:delivery_id>/read", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(EducationDeliverySchema))
def read_education(delivery_id: UUID):
    """The resident opened the item (tracked once)."""
    return {"data": education.mark_read(g.principal, delivery_id)}


@blp.route("/followup/reminder-consent", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ReminderConsentArgsSchema, location="query")
@blp.response(200, envelope(ReminderConsentSchema))
def get_reminder_consent(args):
    """Whether the resident agreed to follow-up reminders by text and by AI phone call."""
    return {"data": consent.reminder_consent(g.principal, args["patient_id"])}


@blp.route("/followup/reminder-consent", methods=["PUT"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ReminderConsentUpdateSchema)
@blp.response(200, envelope(ReminderConsentSchema))
def put_reminder_consent(body):
    """Give or withdraw consent to reminders by text and by AI phone call."""
    return {"data": consent.set_reminder_consent(g.principal, body)}
