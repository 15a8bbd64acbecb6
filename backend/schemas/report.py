"""Reports as the mini-program shows them: a list, one report explained, a trend."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema

LEVEL = {"description": "normal | unknown | mild | marked | critical (how soon to act)"}


class ReportListArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)


class TrendArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)
    test_code = fields.String(required=True, validate=validate.Length(1, 32))


class ReportSummarySchema(StrictSchema):
    id = fields.UUID(attribute="report.external_id", required=True)
    title = fields.String(attribute="report.title", required=True)
    kind = fields.String(attribute="report.kind", required=True,
                         metadata={"description": "lab | imaging"})
    status = fields.String(attribute="report.status", required=True)
    reported_at = fields.DateTime(attribute="report.reported_at", allow_none=True)
    hospital = fields.String(required=True)
    hospital_phone = fields.String(allow_none=True)
    headline = fields.String(required=True)
    advice = fields.String(required=True)
    level = fields.String(required=True, metadata=LEVEL)
    abnormal = fields.Integer(required=True)
    critical = fields.Boolean(required=True)
    corrected = fields.Boolean(required=True, metadata={"description": "报告已更正"})
    collect_in_person = fields.Boolean(required=True)
    notice = fields.String(allow_none=True)


class ResultViewSchema(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    value = fields.String(required=True)
    unit = fields.String(required=True)
    flag = fields.String(allow_none=True)
    flag_words = fields.String(required=True)
    level = fields.String(required=True, metadata=LEVEL)
    reference = fields.String(allow_none=True, metadata={"description": "The lab's interval."})
    text = fields.String(required=True)
    advice = fields.String(required=True)
    basis = fields.String(required=True)
    source = fields.String(required=True)
    critical = fields.Boolean(required=True)
    corrected_from = fields.String(allow_none=True)
    rephrased = fields.Boolean(required=True, metadata={
        "description": "The words are the language model's, checked against the source."})
    trend_code = fields.String(allow_none=True)


class ExplainedWordsSchema(StrictSchema):
    words = fields.String(required=True)
    plain = fields.String(required=True)
    advice = fields.String(required=True)
    source = fields.String(required=True)


class ImagingSentenceSchema(StrictSchema):
    sentence = fields.String(required=True)
    level = fields.String(required=True, metadata=LEVEL)
    items = fields.List(fields.Nested(ExplainedWordsSchema), required=True)


class ReportDetailSchema(ReportSummarySchema):
    collected_at = fields.DateTime(attribute="report.collected_at", allow_none=True)
    results = fields.List(fields.Nested(ResultViewSchema), required=True)
    imaging = fields.List(fields.Nested(ImagingSentenceSchema), required=True)
    findings = fields.String(allow_none=True, metadata={"description": "检查所见"})
    conclusion = fields.String(allow_none=True, metadata={"description": "诊断意见"})


class TrendPointSchema(StrictSchema):
    when = fields.DateTime(required=True)
    value = fields.Float(required=True)
    flag = fields.String(allow_none=True)
    report_id = fields.String(required=True)


class TrendSchema(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    band_low = fields.Float(allow_none=True)
    band_high = fields.Float(allow_none=True)
    direction = fields.String(required=True,
                              metadata={"description": "rising | falling | stable | single"})
    words = fields.String(required=True)
    points = fields.List(fields.Nested(TrendPointSchema), required=True)
