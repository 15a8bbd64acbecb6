"""Residents' questionnaires in the console: waiting for the doctor's review, and the review."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.questionnaire import QuestionnaireReviewSchema, QuestionnaireSchema
from backend.services.followup import questionnaire


@blp.route("/followup/questionnaires", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)
@blp.response(200, envelope(QuestionnaireSchema, many=True))
def pending_questionnaires():
    """Questionnaires waiting for review, urgent first."""
    return {"data": questionnaire.pending(g.principal)}


@blp.route("/followup/questionnaires/<uuid:questionnaire_id>/review", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.FAMILY_DOCTOR)
@blp.arguments(QuestionnaireReviewSchema)
@blp.response(200, envelope(QuestionnaireSchema))
def review_questionnaire(body, questionnaire_id: UUID):
    """Accept it as a follow-up (classified by the same rules) or return it with a note."""
    return {"data": questionnaire.review(g.principal, questionnaire_id, body)}
