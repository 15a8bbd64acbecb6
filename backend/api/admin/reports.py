"""Reports in the console: critical values to acknowledge, reports waiting for a patient,
messages we could not take, and push coverage."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import UUID

from flask import g

from backend.api.admin.blueprint import blp
from backend.api.common import BEARER
from backend.auth import require_staff
from backend.errors import ValidationFailed
from backend.models import StaffRole
from backend.schemas.common import envelope
from backend.schemas.report import ReportDetailSchema, ReportSummarySchema
from backend.schemas.report_admin import (
    AcknowledgeSchema,
    CoverageArgsSchema,
    CoverageSchema,
    CriticalAlertSchema,
    DeadLetterArgsSchema,
    DeadLetterSchema,
    MatchSchema,
    OpenArgsSchema,
    UnmatchedReportSchema,
)
from backend.services.reports import admin, critical, redrive, views, waiting
from backend.timeutil import CLINIC_TZ

_CLINICAL = (StaffRole.CLINICIAN, StaffRole.DEPARTMENT_HEAD, StaffRole.HOSPITAL_ADMIN)
_RESIDENT_READERS = (StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)
MAX_COVERAGE_DAYS = 93


@blp.route("/critical-values", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_CLINICAL)
@blp.arguments(OpenArgsSchema, location="query")
@blp.response(200, envelope(CriticalAlertSchema, many=True))
def list_critical_values(args):
    """Critical values (危急值) for me, my department, or (admins) the whole hospital."""
    return {"data": critical.list_for(g.principal, args["open"])}


@blp.route("/critical-values/<uuid:alert_id>/acknowledge", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(*_CLINICAL)
@blp.arguments(AcknowledgeSchema)
@blp.response(200, envelope(CriticalAlertSchema))
def acknowledge_critical_value(body, alert_id: UUID):
    """I have it: stops the escalation; who and when are recorded and audited."""
    return {"data": critical.acknowledge(g.principal, alert_id, body.get("note"))}


@blp.route("/residents/<uuid:resident_id>/reports", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_RESIDENT_READERS)
@blp.response(200, envelope(ReportSummarySchema, many=True))
def list_resident_reports(resident_id: UUID):
    """A signed resident's released reports (the family doctor's view; audited)."""
    return {"data": views.list_for(g.principal, resident_id)}


@blp.route("/reports/<uuid:report_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(*_RESIDENT_READERS)
@blp.response(200, envelope(ReportDetailSchema))
def get_resident_report(report_id: UUID):
    """One report of a signed resident, explained as the resident sees it (audited)."""
    return {"data": views.get(g.principal, report_id)}


@blp.route("/reports/unmatched", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.response(200, envelope(UnmatchedReportSchema, many=True))
def list_unmatched():
    """Reports waiting for their 就诊人 (no match by the hospital's id or the ID number)."""
    return {"data": waiting.list_unmatched(g.principal)}


@blp.route("/reports/<uuid:report_id>/match", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(MatchSchema)
@blp.response(200, envelope(UnmatchedReportSchema))
def match_report(body, report_id: UUID):
    """Name the 就诊人 after checking the paper trail; the report is then released."""
    return {"data": waiting.match_by_admin(g.principal, report_id, body["patient_id"])}


@blp.route("/reports/dead-letters", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(DeadLetterArgsSchema, location="query")
@blp.response(200, envelope(DeadLetterSchema, many=True))
def list_dead_letters(args):
    """Result messages we refused, with why (the message itself stays encrypted)."""
    return {"data": redrive.list_open(g.principal, args["all"])}


@blp.route("/reports/dead-letters/<uuid:letter_id>/redrive", methods=["POST"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.response(200, envelope(DeadLetterSchema))
def redrive_dead_letter(letter_id: UUID):
    """Take a refused message again once its cause is fixed; 422 with the reason if it still
    cannot be taken."""
    return {"data": redrive.redrive(g.principal, letter_id)}


@blp.route("/reports/coverage", methods=["GET"])
@blp.doc(security=BEARER)
@require_staff(StaffRole.HOSPITAL_ADMIN)
@blp.arguments(CoverageArgsSchema, location="query")
@blp.response(200, envelope(CoverageSchema))
def coverage(args):
    """Released reports by push outcome (China Standard Time days, both ends included)."""
    if args["date_to"] < args["date_from"]:
        raise ValidationFailed("结束日期不能早于开始日期。", field="date_to")
    if (args["date_to"] - args["date_from"]).days >= MAX_COVERAGE_DAYS:
        raise ValidationFailed("一次最多统计93天。", field="date_to")
    start = datetime.combine(args["date_from"], time(0), CLINIC_TZ)
    end = datetime.combine(args["date_to"] + timedelta(days=1), time(0), CLINIC_TZ)
    return {"data": admin.coverage(g.principal, start, end)}
