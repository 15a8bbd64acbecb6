"""The resident's health portrait (健康画像), once their family doctor has approved it."""

from __future__ import annotations

from flask import g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.common import envelope
from backend.schemas.portrait import PortraitArgsSchema, PortraitSchema
from backend.services.portraits import service


@blp.route("/portrait", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(PortraitArgsSchema, location="query")
@blp.response(200, envelope(PortraitSchema))
def get_portrait(args):
    """The latest approved version in plain words, every statement with its records; 404
    until the family doctor approves one."""
    return {"data": service.for_resident(g.principal, args["patient_id"])}
