"""What hospital admins see of payments: reconciliation differences and booking rules."""

from __future__ import annotations

from marshmallow import fields

from backend.schemas.common import StrictSchema


class MismatchArgsSchema(StrictSchema):
    bill_date = fields.Date()


class MismatchSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    channel = fields.String(required=True)
    bill_date = fields.Date(required=True)
    kind = fields.String(required=True, metadata={
        "description": "missing_locally | missing_at_gateway | amount_differs"})
    line_kind = fields.String(required=True, metadata={"description": "payment | refund"})
    out_trade_no = fields.String(required=True)
    reference = fields.String(required=True)
    gateway_fen = fields.Integer(allow_none=True)
    ledger_fen = fields.Integer(allow_none=True)


class BookingRulesSchema(StrictSchema):
    hold_minutes = fields.Integer(strict=True)
    max_active_bookings = fields.Integer(strict=True)
    cancel_cutoff_minutes = fields.Integer(strict=True)
    no_show_limit = fields.Integer(strict=True)
    no_show_window_days = fields.Integer(strict=True)
    suspension_days = fields.Integer(strict=True)
    check_in_opens_minutes = fields.Integer(strict=True)
    check_in_closes_minutes = fields.Integer(strict=True)
