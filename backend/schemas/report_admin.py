"""Console shapes for reports: critical values, unmatched reports, dead letters, coverage."""

from __future__ import annotations

from datetime import date

from marshmallow import fields, validate

from backend.schemas.common import StrictSchema

# The steps of a critical value's escalation (backend/services/reports/critical.py LEVELS).
ESCALATION_LEVELS = ("ordering_clinician", "department", "department_head", "medical_affairs")


class OpenArgsSchema(StrictSchema):
    open = fields.Boolean(load_default=True)


class AcknowledgeSchema(StrictSchema):
    note = fields.String(validate=validate.Length(0, 200), allow_none=True,
                         metadata={"description": "What was done (e.g. 已电话通知患者复查)."})


class CriticalAlertSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    report_id = fields.UUID(attribute="report.external_id", required=True)
    accession = fields.String(attribute="report.accession", required=True)
    report_title = fields.String(attribute="report.title", required=True)
    patient_name = fields.Method("_patient_name", required=True)
    department_code = fields.String(allow_none=True)
    test_code = fields.String(required=True)
    test_name = fields.String(required=True)
    value = fields.String(required=True)
    unit = fields.String(allow_none=True)
    status = fields.String(required=True)
    level = fields.Method("_level", required=True,
                          metadata={"description": "ordering_clinician | department | "
                                                   "department_head | medical_affairs"})
    created_at = fields.DateTime(required=True)
    next_escalation_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledgement_note = fields.String(allow_none=True)
    patient_notified_at = fields.DateTime(allow_none=True)
    messages = fields.Method("_messages", required=True, metadata={
        "description": "WeCom messages of each step: staff, level, status "
                       "(pending | sent | failed | skipped | withdrawn), sent_at."})

    def _messages(self, alert) -> list[dict]:
        return [{"staff": m.staff.display_name, "level": ESCALATION_LEVELS[m.level],
                 "status": m.status, "sent_at": m.sent_at.isoformat() if m.sent_at else None}
                for m in alert.messages]

    def _patient_name(self, alert) -> str:
        patient = alert.report.patient
        return patient.name if patient else "（待匹配）"

    def _level(self, alert) -> str:
        return ESCALATION_LEVELS[alert.level]


class UnmatchedReportSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    accession = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    reported_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


class MatchSchema(StrictSchema):
    patient_id = fields.UUID(required=True)


class DeadLetterArgsSchema(StrictSchema):
    all = fields.Boolean(load_default=False,
                         metadata={"description": "Also the ones already taken again."})


class DeadLetterSchema(StrictSchema):
    id = fields.UUID(attribute="external_id", required=True)
    channel = fields.String(required=True)
    control_id = fields.String(allow_none=True)
    reason = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    redriven_at = fields.DateTime(allow_none=True)


_DAYS = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31),
                       error="日期应在2000年到2099年之间。")


class CoverageArgsSchema(StrictSchema):
    date_from = fields.Date(required=True, validate=_DAYS)
    date_to = fields.Date(required=True, validate=_DAYS)


class CoverageSchema(StrictSchema):
    released = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    declined = fields.Integer(required=True)
    withheld = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    push_rate = fields.Float(allow_none=True, metadata={
        "description": "delivered / (released - withheld)"})
    accounted_rate = fields.Float(allow_none=True, metadata={
        "description": "reports whose outcome is known / released"})
