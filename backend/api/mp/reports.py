"""Reports (检验检查报告) of the account's own 就诊人, explained in plain words, and trends."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.common import envelope
from backend.schemas.report import (
    ReportDetailSchema,
    ReportListArgsSchema,
    ReportSummarySchema,
    TrendArgsSchema,
    TrendSchema,
)
from backend.services.reports import views


@blp.route("/reports", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ReportListArgsSchema, location="query")
@blp.response(200, envelope(ReportSummarySchema, many=True))
def list_reports(args):
    """Released reports of one 就诊人, newest first, each with its one-line meaning."""
    return {"data": views.list_for(g.principal, args["patient_id"])}


@blp.route("/reports/trend", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(TrendArgsSchema, location="query")
@blp.response(200, envelope(TrendSchema))
def report_trend(args):
    """One test across reports, in the test's own unit, with the reference band."""
    return {"data": views.trend_for(g.principal, args["patient_id"], args["test_code"])}


@blp.route("/reports/<uuid:report_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(ReportDetailSchema))
def get_report(report_id: UUID):
    """One report: every value with its flag, plain words, advice and basis; imaging
    conclusions sentence by sentence; "报告已更正" and the critical-value banner."""
    return {"data": views.get(g.principal, report_id)}
