"""A resident's own readings in the mini-program (and the console's view of them)."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema

SYMPTOMS = ("severe_headache", "severe_dizziness", "nausea", "vomiting", "blurred_vision",
            "chest_tightness", "palpitations", "sweating", "altered_consciousness")


class VitalCreateSchema(StrictSchema):
    """Values are checked against what is possible by the follow-up rules (clear Chinese
    errors), not here, so the message names the reading the resident typed."""

    patient_id = fields.UUID(required=True, metadata={"description": "The 就诊人 measured."})
    kind = fields.String(required=True, validate=validate.OneOf(
        ["blood_pressure", "glucose", "weight", "spo2", "temperature"]))
    systolic = fields.Integer(strict=True, metadata={"description": "高压, mmHg"})
    diastolic = fields.Integer(strict=True, metadata={"description": "低压, mmHg"})
    pulse = fields.Integer(strict=True, metadata={"description": "心率, 次/分"})
    glucose = fields.Float(allow_nan=False, metadata={"description": "mmol/L"})
    timing = fields.String(validate=validate.OneOf(["fasting", "after_meal", "random"]))
    weight = fields.Float(allow_nan=False, metadata={"description": "体重, kg"})
    height_cm = fields.Float(allow_nan=False, metadata={
        "description": "身高, cm: with a weight, for the BMI (else the last height given)"})
    spo2 = fields.Float(allow_nan=False, metadata={"description": "血氧饱和度, %"})
    temperature = fields.Float(allow_nan=False, metadata={"description": "体温（腋温）, ℃"})
    measured_at = fields.AwareDateTime(metadata={"description": "Default: now."})
    symptoms = fields.List(fields.String(validate=validate.OneOf(SYMPTOMS)), load_default=list,
                           validate=validate.Length(0, len(SYMPTOMS)),
                           metadata={"description": "What the resident feels now."})


class VitalReadingSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    measured_at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    readings = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    glucose_timing = fields.String(allow_none=True)
    level = fields.String(required=True, metadata={"description": "urgent | high | normal"})
    source = fields.String(required=True)


class StaffVitalReadingSchema(VitalReadingSchema):
    symptoms = fields.List(fields.String(), required=True)
    findings = fields.Dict(required=True, metadata={"description": "The basis of `level`."})


class AdviceSchema(StrictSchema):
    title = fields.String(required=True)
    text = fields.String(required=True)


class VitalRecordedSchema(StrictSchema):
    reading = fields.Nested(VitalReadingSchema, required=True)
    level = fields.String(required=True)
    urgent = fields.Boolean(required=True, metadata={"description": "Show the 120 screen now."})
    advice = fields.Nested(AdviceSchema, required=True)
    emergencies = fields.List(fields.String(), required=True)
    doctor_told = fields.Boolean(required=True,
                                 metadata={"description": "The follow-up moved to today."})
    education = fields.List(fields.Nested(lambda: EducationItemSchema()), required=True,
                            metadata={"description": "Health education for this moment."})


class VitalHistoryArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)
    days = fields.Integer(load_default=30, validate=validate.Range(1, 365))


class StaffHistoryArgsSchema(StrictSchema):
    days = fields.Integer(load_default=90, validate=validate.Range(1, 365))


class VitalHistorySchema(StrictSchema):
    readings = fields.List(fields.Nested(VitalReadingSchema), required=True)
    targets = fields.Dict(keys=fields.String(), values=fields.Float(), required=True,
                          metadata={"description": "systolic_below, fasting_glucose_below, …"})
    programmes = fields.List(fields.String(), required=True)


class StaffVitalHistorySchema(VitalHistorySchema):
    readings = fields.List(fields.Nested(StaffVitalReadingSchema), required=True)


class EducationItemSchema(StrictSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    topic = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "The named source."})
    video_url = fields.String(allow_none=True)


class EducationDeliverySchema(StrictSchema):
    id = fields.UUID(required=True)
    delivered_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)
    item = fields.Nested(EducationItemSchema, required=True)


class EducationArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)


class ReminderConsentArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)


class ReminderConsentUpdateSchema(StrictSchema):
    patient_id = fields.UUID(required=True)
    sms = fields.Boolean(metadata={"description": "同意接收随访提醒短信"})
    call = fields.Boolean(metadata={"description": "同意接听智能语音随访电话"})
    phone_works = fields.Boolean(metadata={"description": "The number on file reaches me again."})


class ReminderConsentSchema(StrictSchema):
    sms = fields.Boolean(required=True)
    call = fields.Boolean(required=True)
    phone = fields.String(allow_none=True, metadata={"description": "Masked: 139****0001"})
    phone_unreachable = fields.Boolean(required=True)
