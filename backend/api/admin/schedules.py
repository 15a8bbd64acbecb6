"""The HIS pushes schedules and stoppages (停诊) for its own organization."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.schedule import SchedulePushSchema, ScheduleSchema, ScheduleStopSchema
from backend.services import schedules


@blp.route("/schedules", methods=["PUT"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(SchedulePushSchema)
@blp.response(200, envelope(ScheduleSchema, many=True))
def push_schedules(body):
    """Create or update schedules by the HIS's own key (`his_ref`); all or nothing."""
    return {"data": schedules.push(g.principal, body["schedules"])}


@blp.route("/schedules/<uuid:schedule_id>/stop", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(ScheduleStopSchema)
@blp.response(200, envelope(ScheduleSchema))
def stop_schedule(body, schedule_id: UUID):
    """停诊: no new bookings for this session."""
    return {"data": schedules.stop(g.principal, schedule_id, body["reason"])}
