"""Outbox deliveries and admin alerts, as the console shows them."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema


class DeliveryArgsSchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(["pending", "delivering", "delivered",
                                                    "dead"]))


class DeliverySchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    note_id = fields.UUID(attribute="note.external_id", required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(required=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    dead_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


class AlertArgsSchema(StrictSchema):
    open = fields.Boolean(load_default=True)


class AlertSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    kind = fields.String(required=True)
    subject_id = fields.String(allow_none=True)
    message = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    acknowledged_at = fields.DateTime(allow_none=True)
