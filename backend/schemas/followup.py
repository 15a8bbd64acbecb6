"""Console shapes of the chronic-disease programmes: residents, enrolments, the resident's plan."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates

from backend.models import END_REASONS, MANAGEMENT_LEVELS, Programme
from backend.schemas.common import StrictSchema

_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class MedicationSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 50))
    dose = fields.String(required=True, validate=validate.Length(1, 30),
                         metadata={"description": "As the doctor writes it: 5mg, 0.5g, 1片."})
    times = fields.List(fields.String(validate=validate.Regexp(_TIME, error="时间格式应为08:00。")),
                        required=True, validate=validate.Length(1, 6),
                        metadata={"description": "Clock times (China time) to take it."})

    @validates("times")
    def _distinct(self, value: list[str], **_kwargs) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("服药时间不能重复。")


class TargetsSchema(StrictSchema):
    """The resident's personal targets; the classification of a follow-up still uses the
    standard's (followup/data)."""

    systolic_below = fields.Integer(validate=validate.Range(90, 160))
    diastolic_below = fields.Integer(validate=validate.Range(50, 100))
    fasting_glucose_below = fields.Float(validate=validate.Range(4.4, 10.0))
    postprandial_glucose_below = fields.Float(validate=validate.Range(6.0, 13.9))
    hba1c_below = fields.Float(validate=validate.Range(5.5, 10.0),
                               metadata={"description": "糖化血红蛋白, %."})


class MonitoringSchema(StrictSchema):
    blood_pressure_per_week = fields.Integer(validate=validate.Range(0, 21))
    glucose_per_week = fields.Integer(validate=validate.Range(0, 28))
    hba1c_every_months = fields.Integer(validate=validate.Range(1, 12))


class PlanSchema(StrictSchema):
    medications = fields.List(fields.Nested(MedicationSchema), load_default=list,
                              validate=validate.Length(0, 20))
    targets = fields.Nested(TargetsSchema, load_default=dict)
    monitoring = fields.Nested(MonitoringSchema, load_default=dict)


_LEVELS = validate.OneOf(list(MANAGEMENT_LEVELS))


class EnrolSchema(StrictSchema):
    programme = fields.String(required=True, validate=validate.OneOf([p.value for p in Programme]))
    diagnosed_on = fields.Date(required=True)
    doctor_id = fields.UUID(metadata={"description": "Responsible family doctor (admins)."})
    management_level = fields.Integer(load_default=1, validate=_LEVELS)
    plan = fields.Nested(PlanSchema)


class EnrolmentUpdateSchema(StrictSchema):
    doctor_id = fields.UUID()
    management_level = fields.Integer(validate=_LEVELS)
    plan = fields.Nested(PlanSchema)


class EnrolmentEndSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(list(END_REASONS)))


class FromContractSchema(StrictSchema):
    patient_id = fields.UUID(required=True, metadata={"description": "The signed 就诊人."})


class EnrolmentSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    programme = fields.String(required=True)
    diagnosed_on = fields.Date(required=True)
    enrolled_on = fields.Date(required=True)
    doctor_id = fields.UUID(attribute="doctor.external_id", required=True)
    doctor_name = fields.String(attribute="doctor.display_name", required=True)
    management_level = fields.Integer(required=True)
    management_level_name = fields.Function(lambda e: MANAGEMENT_LEVELS[e.management_level])
    plan = fields.Dict(required=True)
    plan_updated_at = fields.DateTime(allow_none=True)
    next_due_on = fields.Date(required=True)
    next_due_rule = fields.String(required=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)


class FollowUpResidentSchema(StrictSchema):
    """What the console sees of a resident (identifiers masked)."""

    id = fields.UUID(attribute="external_id", required=True)
    name = fields.String(required=True)
    sex = fields.String(required=True)
    birth_date = fields.Date(required=True)
    age = fields.Integer(required=True)
    document_type = fields.String(required=True)
    document_number = fields.String(attribute="document_number_masked", required=True)
    phone = fields.String(attribute="phone_masked", allow_none=True)
    health_record_number = fields.String(allow_none=True)
    source = fields.String(required=True)
    enrolments = fields.List(fields.Nested(EnrolmentSchema), required=True)


class FollowUpResidentPageSchema(StrictSchema):
    items = fields.List(fields.Nested(FollowUpResidentSchema), required=True)
    total = fields.Integer(required=True)


class ResidentListArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 100_000))
    programme = fields.String(validate=validate.OneOf([p.value for p in Programme]))


class ProgrammeFindingsSchema(StrictSchema):
    adverse_reactions = fields.List(fields.String(validate=validate.Length(1, 100)),
                                    load_default=list, validate=validate.Length(0, 10))
    adverse_reaction_uncontrolled = fields.Boolean(load_default=False)
    complications = fields.List(fields.String(validate=validate.Length(1, 40)),
                                load_default=list, validate=validate.Length(0, 10),
                                metadata={"description": "Codes of followup/data (stroke, …)."})
    medication_changed = fields.Boolean(load_default=False)


class LifestyleSchema(StrictSchema):
    """生活方式指导 of the record form: the resident's now, and the target agreed."""

    cigarettes_per_day = fields.Integer(validate=validate.Range(0, 100))
    cigarettes_target = fields.Integer(validate=validate.Range(0, 100))
    alcohol_ml_per_day = fields.Integer(validate=validate.Range(0, 2000))
    alcohol_target = fields.Integer(validate=validate.Range(0, 2000))
    exercise_times_per_week = fields.Integer(validate=validate.Range(0, 21))
    exercise_minutes = fields.Integer(validate=validate.Range(0, 300))
    salt = fields.String(validate=validate.OneOf(["light", "moderate", "heavy"]))
    staple_grams_per_day = fields.Integer(validate=validate.Range(0, 2000))
    psychological = fields.String(validate=validate.OneOf(["good", "fair", "poor"]))
    compliance = fields.String(validate=validate.OneOf(["good", "fair", "poor"]))


class BodySchema(StrictSchema):
    weight_kg = fields.Float(validate=validate.Range(20, 300))
    weight_target_kg = fields.Float(validate=validate.Range(20, 300))
    height_cm = fields.Float(validate=validate.Range(100, 230))
    foot_pulse = fields.String(validate=validate.OneOf(["normal", "weak", "absent"]),
                               metadata={"description": "足背动脉搏动 (diabetes)."})


class AuxiliaryTestsSchema(StrictSchema):
    hba1c = fields.Float(validate=validate.Range(3, 20), metadata={"description": "%"})


class RecordMedicationSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 50))
    dose = fields.String(required=True, validate=validate.Length(1, 30))
    times_per_day = fields.Integer(required=True, validate=validate.Range(1, 6))


class FollowUpRecordCreateSchema(StrictSchema):
    visited_on = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.OneOf(["clinic", "home", "phone"]))
    programmes = fields.Dict(
        keys=fields.String(validate=validate.OneOf([p.value for p in Programme])),
        values=fields.Nested(ProgrammeFindingsSchema), required=True,
        validate=validate.Length(1, 2))
    readings = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                           values=fields.Float(allow_nan=False), required=True,
                           metadata={"description": "systolic, diastolic, heart_rate, "
                                                    "fasting_glucose, random_glucose, …"})
    symptoms = fields.List(fields.String(validate=validate.Length(1, 40)), load_default=list)
    flags = fields.List(fields.String(validate=validate.Length(1, 40)), load_default=list)
    body = fields.Nested(BodySchema, load_default=dict)
    tests = fields.Nested(AuxiliaryTestsSchema, load_default=dict)
    lifestyle = fields.Nested(LifestyleSchema, load_default=dict)
    adherence = fields.String(required=True,
                              validate=validate.OneOf(["regular", "intermittent", "none"]))
    hypoglycaemia = fields.String(validate=validate.OneOf(["none", "occasional", "frequent"]))
    medications = fields.List(fields.Nested(RecordMedicationSchema), load_default=list,
                              validate=validate.Length(0, 20))
    note = fields.String(validate=validate.Length(0, 1000))


class DecisionSchema(StrictSchema):
    rule = fields.String(required=True)
    says = fields.String(required=True)
    basis = fields.List(fields.String(), required=True)


class FollowUpOutcomeSchema(StrictSchema):
    programme = fields.String(required=True)
    follow_up_class = fields.String(required=True)
    class_name = fields.String(required=True)
    control_satisfied = fields.Boolean(required=True)
    adverse_reaction = fields.Boolean(required=True)
    referral = fields.String(allow_none=True)
    decisions = fields.List(fields.Nested(DecisionSchema), required=True)
    emergencies = fields.List(fields.Nested(DecisionSchema), required=True)
    next_followup_on = fields.Date(required=True)
    next_followup_rule = fields.String(required=True)
    source = fields.String(required=True)


class FollowUpRecordSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    visited_on = fields.Date(required=True)
    method = fields.String(required=True)
    doctor_name = fields.String(attribute="doctor.display_name", required=True)
    age = fields.Integer(required=True)
    readings = fields.Dict(required=True)
    symptoms = fields.List(fields.String(), required=True)
    adherence = fields.String(required=True)
    urgent_referral = fields.Boolean(required=True)
    next_followup_on = fields.Date(required=True)
    next_followup_rule = fields.String(required=True)
    # "pending": made by the AI caller, waiting for the doctor's confirmation (待医生确认)
    review_status = fields.String(allow_none=True, required=True)
    outcomes = fields.List(fields.Nested(FollowUpOutcomeSchema), required=True)


class RecordListArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class FollowUpTaskSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    resident_id = fields.UUID(attribute="enrolment.resident.external_id", required=True)
    resident_name = fields.String(attribute="enrolment.resident.name", required=True)
    programme = fields.String(attribute="enrolment.programme", required=True)
    due_on = fields.Date(required=True)
    due_rule = fields.String(required=True)
    doctor_name = fields.String(attribute="doctor.display_name", required=True)
    escalated_at = fields.DateTime(allow_none=True)
    unreached_note = fields.String(allow_none=True, metadata={
        "description": "No reminder reached the resident (e.g. 短信未送达): contact them."})


class FollowUpTaskPageSchema(StrictSchema):
    items = fields.List(fields.Nested(FollowUpTaskSchema), required=True)
    total = fields.Integer(required=True)


class TaskListArgsSchema(StrictSchema):
    due_before = fields.Date()
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 100_000))
