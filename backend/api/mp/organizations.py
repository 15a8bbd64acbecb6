"""The group's hospitals and their departments, for choosing where to go."""

from __future__ import annotations

from uuid import UUID

from backend.api.mp.blueprint import blp
from backend.schemas.common import envelope
from backend.schemas.organization import DepartmentSchema, OrganizationSchema
from backend.schemas.schedule import ScheduleSchema, ScheduleSearchArgsSchema
from backend.services import organizations, schedules


@blp.route("/hospitals", methods=["GET"])
@blp.response(200, envelope(OrganizationSchema, many=True))
def list_hospitals():
    """Hospitals and health centres of the group (public)."""
    return {"data": organizations.list_organizations()}


@blp.route("/hospitals/<uuid:hospital_id>/departments", methods=["GET"])
@blp.response(200, envelope(DepartmentSchema, many=True))
def list_departments(hospital_id: UUID):
    """A hospital's departments in its own order (public)."""
    return {"data": organizations.list_departments(hospital_id)}


@blp.route("/hospitals/<uuid:hospital_id>/schedules", methods=["GET"])
@blp.arguments(ScheduleSearchArgsSchema, location="query")
@blp.response(200, envelope(ScheduleSchema, many=True))
def list_schedules(args, hospital_id: UUID):
    """Released clinic sessions with live remaining places (public), up to 14 days at a time."""
    return {"data": schedules.search(hospital_id, args)}
