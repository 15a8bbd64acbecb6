"""Console shapes: staff login, staff, residents, audit entries."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.account import ProfileSchema
from backend.schemas.common import StrictSchema


class StaffLoginSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 256))


class StaffSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    organization_name = fields.String(attribute="organization.name", required=True)


class StaffSessionSchema(StrictSchema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    staff = fields.Nested(StaffSchema, required=True)


class PageArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 100_000))


class ResidentSchema(ProfileSchema):
    """What a family doctor sees of a signed resident (identifiers stay masked)."""


class ResidentPageSchema(StrictSchema):
    items = fields.List(fields.Nested(ResidentSchema), required=True)
    total = fields.Integer(required=True)


class AuditArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    before_seq = fields.Integer(validate=validate.Range(1, 2**62))


class AuditEntrySchema(StrictSchema):
    seq = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    actor_kind = fields.String(required=True)
    actor_id = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    action = fields.String(required=True)
    subject_kind = fields.String(required=True)
    subject_id = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    client_ip = fields.String(allow_none=True)
    detail = fields.Dict(required=True)
    hash = fields.Function(lambda entry: entry.mac or entry.hash, required=True, metadata={
        "description": "The entry's HMAC-SM3 (its own fields; older entries: with the chain)."})
