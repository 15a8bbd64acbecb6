"""The between-visit questionnaire in the mini-program: the questions, and answering them."""

from __future__ import annotations

from flask import g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.common import envelope
from backend.schemas.questionnaire import (
    QuestionnaireArgsSchema,
    QuestionnaireFormSchema,
    QuestionnaireSubmitSchema,
    QuestionnaireSubmittedSchema,
)
from backend.services.followup import questionnaire


@blp.route("/followup/questionnaire", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(QuestionnaireArgsSchema, location="query")
@blp.response(200, envelope(QuestionnaireFormSchema))
def questionnaire_form(args):
    """The questions for this resident's programmes (symptoms from the standard's lists)."""
    return {"data": questionnaire.questions_for(g.principal, args["patient_id"])}


@blp.route("/followup/questionnaire", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(QuestionnaireSubmitSchema)
@blp.response(201, envelope(QuestionnaireSubmittedSchema))
def submit_questionnaire(body):
    """Answer it; the reply says what the rules make of it (urgent: call 120 now)."""
    return {"data": questionnaire.submit(g.principal, body)}
