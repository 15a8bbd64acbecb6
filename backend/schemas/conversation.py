"""Conversation and pre-visit note shapes for the mini-program."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas.common import MaskedText, StrictSchema


class ConversationStartSchema(StrictSchema):
    patient_id = fields.UUID(required=True, metadata={"description": "The 就诊人 it is about."})
    mode = fields.String(load_default="triage",
                         validate=validate.OneOf(["triage", "pre_consultation"]))
    hospital_id = fields.UUID(metadata={"description": "Limits triage to its departments."})


class ConversationListArgsSchema(StrictSchema):
    patient_id = fields.UUID()
    unfinished = fields.Boolean(load_default=False)


class MessageSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(1, 500))


class RedFlagSchema(StrictSchema):
    rule = fields.String(required=True)
    name = fields.String(required=True)
    advice = fields.String(required=True)
    words = fields.List(MaskedText(), required=True)
    level = fields.String(
        required=True, validate=validate.OneOf(["emergency", "screen", "possible"]),
        metadata={"description": "emergency: go now; screen: a screening question is asked "
                  "first; possible: raised from a language model's reading, shown as 可能"})


class RecommendationSchema(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    confidence = fields.Float(required=True)
    reason = fields.String(required=True)


class TurnSchema(StrictSchema):
    text = MaskedText(required=True)
    quick_replies = fields.List(fields.String(), required=True)
    hint = fields.String(allow_none=True)
    stage = fields.String(required=True)
    question = fields.String(allow_none=True)
    done = fields.Boolean(required=True)
    red_flag = fields.Nested(RedFlagSchema, allow_none=True)
    triage = fields.List(fields.Nested(RecommendationSchema), allow_none=True)
    triage_uncertain = fields.Boolean(allow_none=True)


class TranscriptMessageSchema(StrictSchema):
    role = fields.String(required=True)
    text = MaskedText(required=True)
    turn = fields.Integer(required=True)


class ConversationSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    patient_id = fields.UUID(attribute="patient.external_id", required=True)
    mode = fields.String(required=True)
    stage = fields.String(required=True)
    version = fields.Integer(required=True)
    finished = fields.Boolean(required=True)
    last_turn = fields.Nested(TurnSchema, required=True)
    transcript = fields.List(fields.Nested(TranscriptMessageSchema), attribute="state.transcript",
                             required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class NoteSlotSchema(StrictSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    value = fields.Raw(allow_none=True)
    display = MaskedText(required=True)
    words = MaskedText(required=True)
    turn = fields.Integer(required=True)
    source = fields.String(required=True)
    uncertain = fields.Boolean(required=True)


class DraftNoteSchema(StrictSchema):
    slots = fields.List(fields.Nested(NoteSlotSchema), required=True)
    narrative = MaskedText(required=True)
    sections = fields.Dict(keys=fields.String(), values=MaskedText(), required=True)


class NoteEditSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Length(3, 64))
    value = fields.String(required=True, validate=validate.Length(1, 200))


class NoteConfirmSchema(StrictSchema):
    edits = fields.List(fields.Nested(NoteEditSchema), load_default=list,
                        validate=validate.Length(max=30))


class NoteAmendSchema(StrictSchema):
    edits = fields.List(fields.Nested(NoteEditSchema), required=True,
                        validate=validate.Length(1, 30))
    reason = fields.String(required=True, validate=validate.Length(1, 200))


class NoteSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    conversation_id = fields.UUID(attribute="session.external_id", required=True)
    version = fields.Integer(required=True)
    slots = fields.List(fields.Nested(NoteSlotSchema), required=True)
    narrative = MaskedText(required=True)
    red_flag_rule = fields.String(allow_none=True)
    amendment_reason = MaskedText(allow_none=True)
    confirmed_at = fields.DateTime(required=True)
    delivery_state = fields.String(required=True, metadata={
        "description": "`delivered` (已送达医生) or `waiting` (等待发送)."})
    delivery_label = fields.String(required=True)
