"""Account, login and 就诊人 (patient profile) shapes for the mini-program."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.models import Relationship, Sex
from backend.schemas.common import StrictSchema
from backend.security.identity_docs import DocumentType

NAME_PATTERN = r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z·• .'-]{0,48}[\u4e00-\u9fffA-Za-z.]$"


class WeChatLoginSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(1, 128),
                         metadata={"description": "The code from wx.login()."})


class AlipayLoginSchema(StrictSchema):
    auth_code = fields.String(required=True, validate=validate.Length(1, 128),
                              metadata={"description": "The authCode from my.getAuthCode()."})


class SessionTokenSchema(StrictSchema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    account_id = fields.UUID(required=True)
    is_new_account = fields.Boolean(required=True)


class ConsentSchema(StrictSchema):
    policy_version = fields.String(required=True, validate=validate.Length(1, 32))


class AccountSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    channels = fields.List(fields.String(), required=True)
    privacy_policy_version = fields.String(allow_none=True)
    privacy_consented_at = fields.DateTime(allow_none=True)
    profile_count = fields.Integer(required=True)


class ProfileCreateSchema(StrictSchema):
    relationship = fields.String(
        required=True, validate=validate.OneOf([r.value for r in Relationship]))
    name = fields.String(required=True, validate=validate.Regexp(
        NAME_PATTERN, error="请填写证件上的真实姓名。"))
    document_type = fields.String(
        load_default=DocumentType.RESIDENT_ID.value,
        validate=validate.OneOf([d.value for d in DocumentType]))
    document_number = fields.String(required=True, validate=validate.Length(5, 32))
    sex = fields.String(validate=validate.OneOf([s.value for s in Sex]),
                        metadata={"description": "Derived from a resident ID number if omitted."})
    birth_date = fields.Date(metadata={"description": "Derived from a resident ID if omitted."})
    phone = fields.String(validate=validate.Length(11, 20))


class ProfileUpdateSchema(StrictSchema):
    """Identity (name, document) is fixed once registered; contact and relationship may change."""

    relationship = fields.String(validate=validate.OneOf([r.value for r in Relationship]))
    phone = fields.String(allow_none=True, validate=validate.Length(11, 20))


class ProfileSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    relationship = fields.String(required=True)
    name = fields.String(required=True)
    sex = fields.String(required=True)
    birth_date = fields.Date(required=True)
    age = fields.Integer(required=True)
    document_type = fields.String(required=True)
    document_number_masked = fields.String(required=True)
    phone_masked = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
