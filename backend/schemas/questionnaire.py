"""The between-visit questionnaire: the resident's questions and answers, the doctor's review.

Answers are checked against the questionnaire file (clear Chinese errors naming the question)
by `followup.questionnaire`, not here."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.models import Programme
from backend.schemas.common import StrictSchema
from backend.schemas.followup import ProgrammeFindingsSchema, RecordMedicationSchema
from backend.schemas.vitals import AdviceSchema


class QuestionnaireArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)


class QuestionOptionSchema(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class FollowUpQuestionSchema(StrictSchema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "symptoms|choice|number|text"})
    options = fields.List(fields.Nested(QuestionOptionSchema), required=True)
    required = fields.Boolean(required=True)
    min = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)


class QuestionnaireFormSchema(StrictSchema):
    edition = fields.String(required=True)
    source = fields.String(required=True)
    programmes = fields.List(fields.String(), required=True)
    readings_needed = fields.List(fields.String(), required=True, metadata={
        "description": "Readings the classification needs: typed here or a home reading of "
                       "the last days."})
    questions = fields.List(fields.Nested(FollowUpQuestionSchema), required=True)


class QuestionnaireSubmitSchema(StrictSchema):
    patient_id = fields.UUID(required=True)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)), required=True,
                          validate=validate.Length(1, 30))
    readings = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ["systolic", "diastolic", "fasting_glucose"])), values=fields.Float(allow_nan=False),
        load_default=dict)


class QuestionnaireSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    resident_id = fields.UUID(attribute="resident.external_id", required=True)
    resident_name = fields.String(attribute="resident.name", required=True)
    answered_on = fields.Date(required=True)
    programmes = fields.List(fields.String(), required=True)
    answers = fields.Dict(required=True)
    readings = fields.Dict(required=True)
    provisional = fields.Dict(required=True, metadata={
        "description": "classes per programme, next_followup_on, emergencies"})
    urgent = fields.Boolean(required=True)
    status = fields.String(required=True, metadata={"description": "submitted|accepted|returned"})
    review_note = fields.String(allow_none=True)


class QuestionnaireSubmittedSchema(StrictSchema):
    questionnaire = fields.Nested(QuestionnaireSchema, required=True)
    advice = fields.Nested(AdviceSchema, required=True)


class QuestionnaireReviewSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "return"]))
    note = fields.String(validate=validate.Length(0, 500))
    programmes = fields.Dict(
        keys=fields.String(validate=validate.OneOf([p.value for p in Programme])),
        values=fields.Nested(ProgrammeFindingsSchema), load_default=dict,
        metadata={"description": "What the doctor adds: complications, medication change."})
    medications = fields.List(fields.Nested(RecordMedicationSchema), load_default=list,
                              validate=validate.Length(0, 20))
