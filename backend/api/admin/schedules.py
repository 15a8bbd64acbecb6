"""The HIS pushes schedules and stoppages (停诊) for its own organization."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.schedule import (
    QueueBoardSchema,
    SchedulePushSchema,
    ScheduleSchema,
    ScheduleStopSchema,
)
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
    """停诊: no new bookings; every booking of the session is cancelled, refunded and told."""
    return {"data": schedules.stop(g.principal, schedule_id, body["reason"])}


@blp.route("/schedules/<uuid:schedule_id>/queue", methods=["PUT"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(QueueBoardSchema)
@blp.response(200, envelope(ScheduleSchema))
def update_queue(body, schedule_id: UUID):
    """The HIS's call board (叫号) for this session: the number now being seen, and the pace."""
    return {"data": schedules.update_queue(g.principal, schedule_id, body)}
