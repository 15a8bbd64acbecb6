"""Shapes of the vaccination journey: a child's records and what is due, clinic entry, the
import file, the health questionnaire, 留观 and the after-care answers."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema

STATES = ("completed", "due", "overdue", "not_yet_due", "clinic_decides", "past_age_limit")


class ChildSchema(StrictSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    birth_date = fields.Date(required=True)
    sex = fields.String(required=True)


class RecordSchema(StrictSchema):
    id = fields.UUID(required=True)
    vaccine = fields.String(required=True)
    vaccine_name = fields.String(required=True)
    dose = fields.Integer(required=True)
    given_on = fields.Date(required=True)
    source = fields.String(required=True, metadata={"description": "import | clinic"})
    lot_number = fields.String(allow_none=True)
    manufacturer = fields.String(allow_none=True)
    site = fields.String(allow_none=True)
    given_at = fields.DateTime(allow_none=True)
    observe_until = fields.DateTime(allow_none=True)


class DoseStatusSchema(StrictSchema):
    series = fields.String(required=True)
    series_name = fields.String(required=True)
    dose = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    vaccines = fields.List(fields.String(), required=True)
    rule = fields.String(required=True, metadata={"description": "The document's words."})
    citation = fields.String(required=True)
    earliest = fields.Date(allow_none=True)
    latest = fields.Date(allow_none=True)
    earliest_because = fields.String(required=True)
    latest_because = fields.String(required=True)
    given_on = fields.Date(allow_none=True)


class FlaggedDoseSchema(StrictSchema):
    vaccine = fields.String(required=True)
    vaccine_name = fields.String(required=True)
    dose = fields.Integer(required=True)
    given_on = fields.Date(required=True)
    flaw = fields.String(required=True)
    explanation = fields.String(required=True)
    citation = fields.String(required=True)


class AssessmentSchema(StrictSchema):
    on = fields.Date(required=True)
    doses = fields.List(fields.Nested(DoseStatusSchema), required=True)
    flagged = fields.List(fields.Nested(FlaggedDoseSchema), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class NonProgrammeSchema(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    ages = fields.String(required=True)
    doses = fields.String(required=True)


class OverviewSchema(StrictSchema):
    child = fields.Nested(ChildSchema, required=True)
    records = fields.List(fields.Nested(RecordSchema), required=True)
    assessment = fields.Nested(AssessmentSchema, required=True)
    non_programme = fields.List(fields.Nested(NonProgrammeSchema), required=True)
    non_programme_note = fields.String(required=True)
    source = fields.String(required=True)
    non_programme_source = fields.String(required=True)


_TEXT = validate.Length(1, 40)


class DoseEntrySchema(StrictSchema):
    vaccine = fields.String(required=True, validate=validate.Length(1, 32),
                            metadata={"description": "Vaccine code, e.g. DTaP, MMR."})
    dose = fields.Integer(required=True, strict=True, validate=validate.Range(1, 9))
    given_on = fields.Date(load_default=None,
                           metadata={"description": "Default today (留观 starts now)."})
    lot_number = fields.String(validate=_TEXT, allow_none=True)
    manufacturer = fields.String(validate=validate.Length(1, 60), allow_none=True)
    site = fields.String(validate=_TEXT, allow_none=True)
    booking_id = fields.UUID(allow_none=True)
    document_number = fields.String(validate=validate.Length(15, 18), allow_none=True,
                                    metadata={"description": "The child's ID number from the "
                                                             "接种证, for a child not yet seen "
                                                             "at this clinic."})


class LookupSchema(StrictSchema):
    document_number = fields.String(required=True, validate=validate.Length(15, 18))


class ImportSchema(StrictSchema):
    filename = fields.String(required=True, validate=validate.Length(1, 200))
    content = fields.String(required=True, validate=validate.Length(1, 1_000_000),
                            metadata={"description": "The CSV text (format in the README)."})


class ImportResultSchema(StrictSchema):
    id = fields.UUID(required=True)
    rows = fields.Integer(required=True)
    added = fields.Integer(required=True)
    already_known = fields.Integer(required=True)
    children = fields.Integer(required=True)
    not_registered = fields.Integer(required=True)
    not_registered_lines = fields.List(fields.Integer(), required=True)


class VaccinationBookingSchema(StrictSchema):
    child_id = fields.UUID(required=True)
    slot_id = fields.UUID(required=True, metadata={
        "description": "A slot of a 接种门诊 session (GET /hospitals/{id}/schedules)."})


class QuestionSchema(StrictSchema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    choices = fields.List(fields.Dict(keys=fields.String(), values=fields.String()),
                          required=True, metadata={"description": "[{id, text}]; empty: yes/no"})


class QuestionSetSchema(StrictSchema):
    version = fields.String(required=True)
    source = fields.String(required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)


class ScreeningAnswersSchema(StrictSchema):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                          values=fields.Dict(), required=True,
                          validate=validate.Length(1, 40),
                          metadata={"description": '{question_id: {"yes": bool, '
                                                   '"detail": str|null}} for every question'})


class ScreeningItemSchema(StrictSchema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    yes = fields.Boolean(required=True)
    detail = fields.String(allow_none=True)
    for_doctor = fields.Boolean(required=True)


class ScreeningSchema(StrictSchema):
    id = fields.UUID(required=True)
    question_set = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    needs_doctor = fields.Boolean(required=True)
    items = fields.List(fields.Nested(ScreeningItemSchema), required=True)


class ClinicVisitSchema(StrictSchema):
    booking_id = fields.UUID(required=True)
    child = fields.Nested(ChildSchema, required=True)
    starts_at = fields.DateTime(required=True)
    status = fields.String(required=True)
    screening = fields.Nested(ScreeningSchema, allow_none=True)


class DayArgsSchema(StrictSchema):
    day = fields.Date(required=True)


class ObservationSchema(StrictSchema):
    record_id = fields.UUID(required=True)
    vaccine_name = fields.String(required=True)
    dose = fields.Integer(required=True)
    given_at = fields.DateTime(required=True)
    observe_until = fields.DateTime(required=True)
    seconds_left = fields.Integer(required=True)
    may_leave = fields.Boolean(required=True)
    message = fields.String(required=True)


class AfterCareAnswersSchema(StrictSchema):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                          values=fields.String(validate=validate.Length(1, 40)), required=True,
                          validate=validate.Length(1, 40),
                          metadata={"description": "{question_id: choice_id}"})


class AfterCareResultSchema(StrictSchema):
    id = fields.UUID(required=True)
    level = fields.String(required=True, metadata={"description": "ok | watch | aefi | "
                                                                  "emergency"})
    advice = fields.String(required=True)
    serious = fields.List(fields.String(), required=True)
    suspected_aefi = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class AefiAnswerSchema(StrictSchema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    answer = fields.String(required=True)
    level = fields.String(required=True)


class AefiReportSchema(StrictSchema):
    id = fields.UUID(required=True)
    child = fields.Nested(ChildSchema, required=True)
    vaccine_name = fields.String(required=True)
    dose = fields.Integer(required=True)
    given_on = fields.Date(required=True)
    lot_number = fields.String(allow_none=True)
    reported_at = fields.DateTime(required=True)
    answers = fields.List(fields.Nested(AefiAnswerSchema), required=True)
    level = fields.String(required=True)
    review_status = fields.String(required=True)
    reviewed_at = fields.DateTime(allow_none=True)
    review_note = fields.String(allow_none=True)


class OpenArgsSchema(StrictSchema):
    open = fields.Boolean(load_default=True)


class ReviewSchema(StrictSchema):
    note = fields.String(required=True, validate=validate.Length(1, 500),
                         metadata={"description": "What the clinic did (已电话随访…)."})
