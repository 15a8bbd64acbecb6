"""The group's hospitals and their departments, for choosing where to go."""

from __future__ import annotations

from uuid import UUID

from flask import Response, current_app, request

from backend.api.mp.blueprint import blp
from backend.schemas.common import envelope
from backend.schemas.organization import DepartmentSchema, OrganizationSchema
from backend.schemas.schedule import ScheduleSchema, ScheduleSearchArgsSchema
from backend.services import listings, organizations, schedules


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
    """Released clinic sessions with remaining places (public), up to 14 days at a time.

    Cached for at most `LISTING_CACHE_SECONDS` and replaced as soon as a hold, cancel, 停诊 or
    HIS push changes it; send the `ETag` back as `If-None-Match` to get a 304 while unchanged.
    The hold decides whether a place is still free."""
    def render() -> bytes:
        return current_app.json.dumps({"data": schedules.listing(hospital_id, args)}).encode()

    body, etag = listings.cached(hospital_id, args, render)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.if_none_match.contains_weak(etag.strip('"')):
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)
