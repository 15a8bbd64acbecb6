"""Hospitals and departments as the mini-program lists them."""

from __future__ import annotations

from marshmallow import fields

from backend.schemas.common import StrictSchema


class OrganizationSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class DepartmentSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(allow_none=True)
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    sex_limit = fields.String(allow_none=True)
