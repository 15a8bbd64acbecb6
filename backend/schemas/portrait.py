"""The health portrait as the resident reads it: approved statements in plain words, each with
the dates and names of the records it rests on."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema


class PortraitArgsSchema(StrictSchema):
    patient_id = fields.UUID(required=True)


class EvidenceSchema(StrictSchema):
    date = fields.String(required=True, validate=validate.Length(max=10))
    label = fields.String(required=True, validate=validate.Length(max=300))


class PortraitStatementSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(max=300))
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True,
                           validate=validate.Length(max=20))


class PortraitSectionSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Length(max=16))
    title = fields.String(required=True, validate=validate.Length(max=16))
    statements = fields.List(fields.Nested(PortraitStatementSchema), required=True,
                             validate=validate.Length(max=100))


class PortraitSchema(StrictSchema):
    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    approved_at = fields.DateTime(required=True)
    updating = fields.Boolean(required=True, metadata={
        "description": "Newer results arrived; the family doctor is reviewing an update."})
    sections = fields.List(fields.Nested(PortraitSectionSchema), required=True,
                           validate=validate.Length(max=5))
