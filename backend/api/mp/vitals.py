"""A resident's own blood pressure and glucose: record one (assessed at once) and see them."""

from __future__ import annotations

from flask import g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.common import envelope
from backend.schemas.vitals import (
    VitalCreateSchema,
    VitalHistoryArgsSchema,
    VitalHistorySchema,
    VitalRecordedSchema,
)
from backend.services.followup import vitals


@blp.route("/vitals", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(VitalCreateSchema)
@blp.response(201, envelope(VitalRecordedSchema))
def record_vital(body):
    """Record a reading; the answer says what it means now (urgent: call 120)."""
    return {"data": vitals.record_reading(g.principal, body)}


@blp.route("/vitals", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(VitalHistoryArgsSchema, location="query")
@blp.response(200, envelope(VitalHistorySchema))
def vital_history(args):
    """Readings of the last days, oldest first, with the target band for the chart."""
    return {"data": vitals.history(g.principal, args["patient_id"], args["days"])}
