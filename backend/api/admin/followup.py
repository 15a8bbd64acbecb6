"""Chronic-disease programmes in the console: residents, enrolment and the resident's plan."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.followup import (
    EnrolmentEndSchema,
    EnrolmentSchema,
    EnrolmentUpdateSchema,
    EnrolSchema,
    FollowUpRecordCreateSchema,
    FollowUpRecordSchema,
    FollowUpResidentPageSchema,
    FollowUpResidentSchema,
    FollowUpTaskPageSchema,
    FromContractSchema,
    RecordListArgsSchema,
    ResidentListArgsSchema,
    TaskListArgsSchema,
)
from backend.schemas.vitals import StaffHistoryArgsSchema, StaffVitalHistorySchema
from backend.services.followup import enrolment, records, vitals, worklist

_ROLES = (StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)


@blp.route("/followup/residents", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(ResidentListArgsSchema, location="query")
@blp.response(200, envelope(FollowUpResidentPageSchema))
def list_followup_residents(args):
    items, total = enrolment.list_residents(g.principal, args["limit"], args["offset"],
                                            args.get("programme"))
    return {"data": {"items": items, "total": total}}


@blp.route("/followup/residents", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(FromContractSchema)
@blp.response(201, envelope(FollowUpResidentSchema))
def resident_from_contract(data):
    return {"data": enrolment.resident_from_contract(g.principal, data["patient_id"])}


@blp.route("/followup/residents/<uuid:resident_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.response(200, envelope(FollowUpResidentSchema))
def get_followup_resident(resident_id: UUID):
    return {"data": enrolment.get_resident(g.principal, resident_id)}


@blp.route("/followup/residents/<uuid:resident_id>/enrolments", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(EnrolSchema)
@blp.response(201, envelope(EnrolmentSchema))
def enrol_resident(data, resident_id: UUID):
    return {"data": enrolment.enrol(g.principal, resident_id, data)}


@blp.route("/followup/enrolments/<uuid:enrolment_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(EnrolmentUpdateSchema)
@blp.response(200, envelope(EnrolmentSchema))
def update_enrolment(data, enrolment_id: UUID):
    return {"data": enrolment.update_enrolment(g.principal, enrolment_id, data)}


@blp.route("/followup/enrolments/<uuid:enrolment_id>/end", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(EnrolmentEndSchema)
@blp.response(200, envelope(EnrolmentSchema))
def end_enrolment(data, enrolment_id: UUID):
    return {"data": enrolment.end_enrolment(g.principal, enrolment_id, data["reason"])}


@blp.route("/followup/residents/<uuid:resident_id>/records", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.FAMILY_DOCTOR)
@blp.arguments(FollowUpRecordCreateSchema)
@blp.response(201, envelope(FollowUpRecordSchema))
def record_followup(data, resident_id: UUID):
    """A follow-up visit, classified by the standard's rules (only family doctors follow up)."""
    return {"data": records.record_followup(g.principal, resident_id, data)}


@blp.route("/followup/residents/<uuid:resident_id>/records", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(RecordListArgsSchema, location="query")
@blp.response(200, envelope(FollowUpRecordSchema, many=True))
def list_followup_records(args, resident_id: UUID):
    return {"data": records.list_records(g.principal, resident_id, args["limit"])}


@blp.route("/followup/tasks", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(TaskListArgsSchema, location="query")
@blp.response(200, envelope(FollowUpTaskPageSchema))
def list_followup_tasks(args):
    """The worklist: open follow-ups, most overdue first."""
    items, total = worklist.open_tasks(g.principal, args.get("due_before"), args["limit"],
                                       args["offset"])
    return {"data": {"items": items, "total": total}}


@blp.route("/followup/residents/<uuid:resident_id>/readings", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_ROLES)
@blp.arguments(StaffHistoryArgsSchema, location="query")
@blp.response(200, envelope(StaffVitalHistorySchema))
def list_resident_readings(args, resident_id: UUID):
    """The resident's home readings with their level and basis, and the target band."""
    return {"data": vitals.history_for_staff(g.principal, resident_id, args["days"])}
