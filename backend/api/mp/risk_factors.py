"""A resident's own waist and smoking, for the 10-year cardiovascular risk in their portrait."""

from __future__ import annotations

from flask import g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.common import envelope
from backend.schemas.risk_factors import (
    SelfReportArgsSchema,
    SelfReportedSchema,
    SelfReportSchema,
)
from backend.services.followup import risk_factors

SELF_REPORTED = ("waist_cm", "current_smoker")


@blp.route("/followup/risk-factors", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(SelfReportArgsSchema, location="query")
@blp.response(200, envelope(SelfReportedSchema))
def reported_risk_factors(args):
    """The newest waist and smoking entries (the doctor's or the resident's own)."""
    entries = risk_factors.self_reportable(g.principal, args["patient_id"])
    return {"data": {"entries": entries}}


@blp.route("/followup/risk-factors", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(SelfReportSchema)
@blp.response(201, envelope(SelfReportedSchema))
def report_risk_factors(body):
    """Save what the resident filled in, dated today, as their own report."""
    answers = {name: body[name] for name in SELF_REPORTED if body.get(name) is not None}
    rows = risk_factors.record_by_resident(g.principal, body["patient_id"], answers)
    return {"data": {"entries": rows}}
