"""Residents signed to a family doctor (or to the doctors of an admin's organization)."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.staff import PageArgsSchema, ResidentPageSchema, ResidentSchema
from backend.services import staff

_ROLES = (StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)


@blp.route("/residents", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, envelope(ResidentPageSchema))
def list_residents(args):
    items, total = staff.list_residents(g.principal, args["limit"], args["offset"])
    return {"data": {"items": items, "total": total}}


@blp.route("/residents/<uuid:resident_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.response(200, envelope(ResidentSchema))
def get_resident(resident_id: UUID):
    return {"data": staff.get_resident(g.principal, resident_id)}
