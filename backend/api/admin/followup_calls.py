"""AI follow-up calls in the console API: what a resident's calls heard, and the doctor's
confirmation of a record the caller made (待医生确认)."""

from __future__ import annotations

from uuid import UUID

from flask import g
from marshmallow import fields, validate

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import StrictSchema, envelope
from backend.schemas.followup import FollowUpRecordSchema
from backend.services.followup import call_review


class CallListArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class CallLineSchema(StrictSchema):
    speaker = fields.String(required=True)  # caller | resident
    text = fields.String(required=True)


class CallAttemptSchema(StrictSchema):
    id = fields.UUID(required=True)
    due_on = fields.Date(required=True)
    number = fields.Integer(required=True)
    provider = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)
    disposition = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    answers = fields.Dict(required=True)
    barge_ins = fields.Integer(required=True)
    call_state = fields.String(required=True)
    transcript = fields.List(fields.Nested(CallLineSchema), allow_none=True)
    purged = fields.Boolean(required=True)


@blp.route("/followup/residents/<uuid:resident_id>/calls", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)
@blp.arguments(CallListArgsSchema, location="query")
@blp.response(200, envelope(CallAttemptSchema, many=True))
def list_followup_calls(args, resident_id: UUID):
    """The resident's AI follow-up calls, newest first; transcripts until their retention ends."""
    return {"data": call_review.list_calls(g.principal, resident_id, args["limit"])}


@blp.route("/followup/records/<uuid:record_id>/confirm", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.FAMILY_DOCTOR)
@blp.response(200, envelope(FollowUpRecordSchema))
def confirm_followup_record(record_id: UUID):
    """Confirm a record the AI caller made: its next follow-up date counts, its tasks close."""
    return {"data": call_review.confirm(g.principal, record_id)}
