"""Schedule shapes: what the HIS pushes, and what a patient browsing slots sees."""

from __future__ import annotations

from marshmallow import fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from backend.models import RegistrationType
from backend.schemas.common import StrictSchema


class SlotInSchema(StrictSchema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(0, 500))


class ScheduleInSchema(StrictSchema):
    his_ref = fields.String(required=True, validate=validate.Length(1, 64))
    department_code = fields.String(required=True, validate=validate.Length(1, 32))
    doctor_id = fields.UUID(allow_none=True)
    clinic_date = fields.Date(required=True)
    half_day = fields.String(required=True, validate=validate.OneOf(["am", "pm", "night"]))
    registration_type = fields.String(
        required=True, validate=validate.OneOf([t.value for t in RegistrationType]))
    fee_fen = fields.Integer(required=True, validate=validate.Range(0, 10_000_000))
    slots = fields.List(fields.Nested(SlotInSchema), required=True,
                        validate=validate.Length(1, 200))

    @validates_schema
    def _slots_end_after_they_start(self, data, **_kwargs):
        for slot in data.get("slots", []):
            if slot["ends_at"] <= slot["starts_at"]:
                raise ValidationError("结束时间要晚于开始时间。", field_name="slots")


class SchedulePushSchema(StrictSchema):
    schedules = fields.List(fields.Nested(ScheduleInSchema), required=True,
                            validate=validate.Length(1, 500))


class ScheduleStopSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 200))


class ScheduleSearchArgsSchema(StrictSchema):
    department_id = fields.UUID()
    doctor_id = fields.UUID()
    date_from = fields.Date()
    date_to = fields.Date()


class SlotSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    capacity = fields.Integer(required=True)
    remaining = fields.Integer(required=True)


class ScheduleSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    his_ref = fields.String(required=True)
    department_id = fields.UUID(attribute="department.external_id", required=True)
    department_name = fields.String(attribute="department.name", required=True)
    doctor_id = fields.UUID(attribute="doctor.external_id", allow_none=True)
    doctor_name = fields.String(attribute="doctor.name", allow_none=True)
    doctor_title = fields.String(attribute="doctor.title", allow_none=True)
    clinic_date = fields.Date(required=True)
    half_day = fields.String(required=True)
    registration_type = fields.String(required=True)
    fee_fen = fields.Integer(required=True, metadata={"description": "Fee in fen (分)."})
    status = fields.String(required=True)
    now_serving = fields.Integer(required=True)
    minutes_per_patient = fields.Integer(required=True)
    slots = fields.List(fields.Nested(SlotSchema), required=True)


class QueueBoardSchema(StrictSchema):
    now_serving = fields.Integer(required=True, validate=validate.Range(0, 100_000))
    minutes_per_patient = fields.Integer(validate=validate.Range(1, 120))
