"""The audit log, newest first: a hospital admin sees their organization's, the group auditor
everyone's."""

from __future__ import annotations

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.staff import AuditArgsSchema, AuditEntrySchema
from backend.services import staff


@blp.route("/audit-log", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN, StaffRole.GROUP_AUDITOR)
@blp.arguments(AuditArgsSchema, location="query")
@blp.response(200, envelope(AuditEntrySchema, many=True))
def audit_log(args):
    return {"data": staff.audit_log(g.principal, args["limit"], args.get("before_seq"))}
