"""The 接种门诊 in the console: import the immunisation system's file, find a child, record a
dose (留观 starts), read the child's schedule."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.schemas.common import envelope
from backend.schemas.vaccination import (
    AefiReportSchema,
    ChildSchema,
    ClinicVisitSchema,
    DayArgsSchema,
    DoseEntrySchema,
    ImportResultSchema,
    ImportSchema,
    LookupSchema,
    OpenArgsSchema,
    OverviewSchema,
    RecordSchema,
    ReviewSchema,
)
from backend.services.vaccination import clinic_visit, imports, records
from backend.services.vaccination.views import child_view, overview_view, record_view

CLINIC = records.CLINIC_ROLES


@blp.route("/vaccination/imports", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*CLINIC)
@blp.arguments(ImportSchema)
@blp.response(201, envelope(ImportResultSchema))
def import_file(body):
    """Take a CSV exported from the immunisation information system, whole or not at all;
    a refusal lists every bad line (`fields`: "第N行" → reasons)."""
    return {"data": imports.run(g.principal, body["filename"], body["content"])}, 201


@blp.route("/vaccination/children/lookup", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*CLINIC)
@blp.arguments(LookupSchema)
@blp.response(200, envelope(ChildSchema))
def lookup_child(body):
    """Find a registered child by the ID number on the 接种证 (audited)."""
    return {"data": child_view(records.lookup(g.principal, body["document_number"]))}


@blp.route("/vaccination/children/<uuid:child_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*CLINIC)
@blp.response(200, envelope(OverviewSchema))
def child_vaccination(child_id: UUID):
    """A child of this clinic: records, doses that do not count, and what is due today."""
    return {"data": overview_view(records.overview(g.principal, child_id))}


@blp.route("/vaccination/children/<uuid:child_id>/doses", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*CLINIC)
@blp.arguments(DoseEntrySchema)
@blp.response(201, envelope(RecordSchema))
def record_dose(body, child_id: UUID):
    """Record a dose given here; given today, the parent's 30-minute 留观 timer starts."""
    return {"data": record_view(records.record_dose(g.principal, child_id, body))}, 201


@blp.route("/vaccination/visits", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*CLINIC)
@blp.arguments(DayArgsSchema, location="query")
@blp.response(200, envelope(ClinicVisitSchema, many=True))
def list_visits(args):
    """The day's vaccination visits with their health questionnaires; visits with answers the
    doctor must weigh come first, and within each, those answers come first."""
    return {"data": clinic_visit.clinic_screenings(g.principal, args["day"])}


@blp.route("/vaccination/aefi", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*CLINIC)
@blp.arguments(OpenArgsSchema, location="query")
@blp.response(200, envelope(AefiReportSchema, many=True))
def list_aefi(args):
    """Suspected adverse events following immunisation (疑似预防接种异常反应) reported by
    parents after doses given here; open ones only unless `open=false`."""
    return {"data": clinic_visit.aefi_reports(g.principal, args["open"])}


@blp.route("/vaccination/aefi/<uuid:report_id>/review", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*CLINIC)
@blp.arguments(ReviewSchema)
@blp.response(200, envelope(AefiReportSchema))
def review_aefi(body, report_id: UUID):
    """The clinic has followed the report up: who, when and what is recorded and audited."""
    return {"data": clinic_visit.review_aefi(g.principal, report_id, body["note"])}
