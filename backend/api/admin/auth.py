"""Staff password login, logout and who am I."""

from __future__ import annotations

from flask import current_app, g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.extensions import limiter
from backend.schemas.common import OkSchema, envelope
from backend.schemas.staff import StaffLoginSchema, StaffSchema, StaffSessionSchema
from backend.services import identity, staff


@blp.route("/auth/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
@blp.arguments(StaffLoginSchema)
@blp.response(200, envelope(StaffSessionSchema))
def login(body):
    """Username and password. After five failures an address waits before each further try
    (30 s, doubling); the answer is the same 401 for every refusal."""
    return {"data": staff.login(body["username"], body["password"])}


@blp.route("/auth/logout", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff()
@blp.response(200, envelope(OkSchema))
def logout():
    identity.logout()
    return {"data": {"ok": True}}


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff()
@blp.response(200, envelope(StaffSchema))
def me():
    return {"data": staff.current_staff(g.principal)}
