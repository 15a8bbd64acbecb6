"""Booking and payment shapes for the mini-program."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema


class BookingCreateSchema(StrictSchema):
    patient_id = fields.UUID(required=True)
    slot_id = fields.UUID(required=True)


class BookingListArgsSchema(StrictSchema):
    patient_id = fields.UUID()


class BookingCancelSchema(StrictSchema):
    reason = fields.String(validate=validate.Length(1, 100))


class PaymentCreateSchema(StrictSchema):
    channel = fields.String(required=True, validate=validate.OneOf(["wechat", "alipay"]))


class NamedRefSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    name = fields.String(required=True)


class PaymentSummarySchema(StrictSchema):
    status = fields.String(required=True)
    channel = fields.String(required=True)
    amount_fen = fields.Integer(required=True)
    refund_status = fields.String(allow_none=True)
    refund_label = fields.String(allow_none=True)
    refund_reason = fields.String(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)
    refunded_at = fields.DateTime(allow_none=True)


class QueueSchema(StrictSchema):
    number = fields.Integer(required=True, metadata={"description": "Queue number (排队号)."})
    ahead = fields.Integer(required=True, metadata={"description": "People still ahead."})
    now_serving = fields.Integer(required=True)
    estimated_wait_minutes = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "waiting | called"})


class BookingSchema(StrictSchema):
    id = fields.UUID(attribute="booking.external_id", required=True)
    status = fields.String(attribute="booking.status", required=True)
    status_label = fields.String(required=True)
    patient = fields.Nested(NamedRefSchema, attribute="booking.patient", required=True)
    hospital = fields.Nested(NamedRefSchema, attribute="booking.organization", required=True)
    department = fields.Nested(NamedRefSchema, attribute="booking.department", required=True)
    doctor = fields.Nested(NamedRefSchema, attribute="booking.doctor", allow_none=True)
    clinic_date = fields.Date(attribute="booking.clinic_date", required=True)
    half_day = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    registration_type = fields.String(required=True)
    fee_fen = fields.Integer(attribute="booking.fee_fen", required=True)
    hold_expires_at = fields.DateTime(attribute="booking.hold_expires_at", allow_none=True)
    end_reason = fields.String(attribute="booking.end_reason", allow_none=True)
    cancel_deadline = fields.DateTime(required=True)
    can_cancel = fields.Boolean(required=True)
    payment = fields.Nested(PaymentSummarySchema, allow_none=True)
    queue = fields.Nested(QueueSchema, allow_none=True)


class PaymentSchema(StrictSchema):
    order_id = fields.UUID(attribute="external_id", required=True)
    out_trade_no = fields.String(required=True, metadata={
        "description": "Our order number, as on the patient's payment record (商户订单号)."})
    channel = fields.String(required=True)
    amount_fen = fields.Integer(required=True)
    expires_at = fields.DateTime(required=True)
    params = fields.Dict(attribute="client_params", keys=fields.String(),
                         values=fields.String(), required=True,
                         metadata={"description": "Pass to wx.requestPayment / my.tradePay."})


class SubscriptionsSchema(StrictSchema):
    templates = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    accepted = fields.List(fields.String(), required=True)


class SubscriptionChoicesSchema(StrictSchema):
    results = fields.Dict(keys=fields.String(validate=validate.Length(1, 64)),
                          values=fields.String(validate=validate.Length(1, 16)), required=True,
                          validate=validate.Length(1, 20))
