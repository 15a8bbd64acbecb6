"""Schedule shapes: what the HIS pushes, and what a patient browsing slots sees."""

from __future__ import annotations

from datetime import date

from marshmallow import fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from backend.models import RegistrationType
from backend.schemas.common import StrictSchema
from backend.timeutil import CLINIC_TZ

# Clinic dates the HIS may push: far enough from year 1 and 9999 that release times and
# time-zone conversions cannot overflow.
CLINIC_DATES = validate.Range(date(2000, 1, 1), date(2099, 12, 31),
                              error="日期应在2000年到2099年之间。")


class SlotInSchema(StrictSchema):
    starts_at = fields.AwareDateTime(required=True, metadata={
        "description": "On the session's clinic_date (China time); no two slots of a session "
                       "start at the same instant, whatever offset they are written in."})
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(0, 500))


class ScheduleInSchema(StrictSchema):
    his_ref = fields.String(required=True, validate=validate.Length(1, 64),
                            metadata={"description": "The HIS's own key; once per push."})
    department_code = fields.String(required=True, validate=validate.Length(1, 32))
    doctor_id = fields.UUID(allow_none=True)
    clinic_date = fields.Date(required=True, validate=CLINIC_DATES)
    half_day = fields.String(required=True, validate=validate.OneOf(["am", "pm", "night"]))
    registration_type = fields.String(
        required=True, validate=validate.OneOf([t.value for t in RegistrationType]))
    fee_fen = fields.Integer(required=True, strict=True,
                             validate=validate.Range(0, 10_000_000))
    slots = fields.List(fields.Nested(SlotInSchema), required=True,
                        validate=validate.Length(1, 200))

    @validates_schema
    def _slots_fit_the_session(self, data, **_kwargs):
        """Each slot ends after it starts, starts on the clinic date (China time), and no two
        slots start at the same instant, however their offsets are written."""
        seen = set()
        for slot in data.get("slots", []):
            if slot["ends_at"] <= slot["starts_at"]:
                raise ValidationError("结束时间要晚于开始时间。", field_name="slots")
            if data.get("clinic_date") and _local_date(slot["starts_at"]) != data["clinic_date"]:
                raise ValidationError("号源的时间不在这个出诊日期内。", field_name="slots")
            if slot["starts_at"] in seen:  # aware datetimes compare and hash as instants
                raise ValidationError("有两个号源的开始时间相同。", field_name="slots")
            seen.add(slot["starts_at"])


def _local_date(moment) -> date | None:
    try:
        return moment.astimezone(CLINIC_TZ).date()
    except (OverflowError, ValueError):  # year 1 or 9999 with an offset that leaves the range
        return None


class SchedulePushSchema(StrictSchema):
    schedules = fields.List(fields.Nested(ScheduleInSchema), required=True,
                            validate=validate.Length(1, 500))

    @validates_schema
    def _his_refs_are_unique(self, data, **_kwargs):
        refs = [item["his_ref"] for item in data.get("schedules", [])]
        if len(refs) != len(set(refs)):
            raise ValidationError("同一次推送里有重复的排班编号（his_ref）。",
                                  field_name="schedules")


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
    clinic_date = fields.Date(required=True, validate=CLINIC_DATES)
    half_day = fields.String(required=True)
    registration_type = fields.String(required=True)
    fee_fen = fields.Integer(required=True, metadata={"description": "Fee in fen (分)."})
    status = fields.String(required=True)
    now_serving = fields.Integer(required=True)
    minutes_per_patient = fields.Integer(required=True)
    slots = fields.List(fields.Nested(SlotSchema), required=True)


class QueueBoardSchema(StrictSchema):
    now_serving = fields.Integer(required=True, strict=True,
                                 validate=validate.Range(0, 100_000))
    minutes_per_patient = fields.Integer(strict=True, validate=validate.Range(1, 120))
