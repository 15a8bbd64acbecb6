"""What a resident may report about themselves for the cardiovascular risk: waist and smoking.
Ranges are checked by `services.followup.risk_factors` against risk_inputs.yaml."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema


class SelfReportArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)


class SelfReportSchema(StrictSchema):
    patient_id = fields.UUID(required=True)
    waist_cm = fields.Float(allow_none=True, metadata={"description": "腰围, cm"})
    current_smoker = fields.String(allow_none=True, validate=validate.OneOf(["yes", "no"]),
                                   metadata={"description": "现在吸烟: yes | no"})


class ReportedFactorSchema(StrictSchema):
    factor = fields.String(required=True)
    value = fields.String(required=True)
    observed_on = fields.Date(required=True)
    source = fields.String(required=True, metadata={"description": "doctor | resident"})


class SelfReportedSchema(StrictSchema):
    entries = fields.List(fields.Nested(ReportedFactorSchema), required=True)
