"""What a report message says (订阅消息 fields) and where it opens. Short, calm, no values:
a message on a lock screen must not show a result to whoever holds the phone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.extensions import db
from backend.models import Booking, Organization, PatientMessage, PaymentOrder, Report
from backend.timeutil import CLINIC_TZ, as_utc

NOTES = {
    "report_ready": "报告已出，点开可看通俗解释。",
    "report_corrected": "报告已更正，请点开查看。",
    "critical_value": "请尽快与医院联系或到急诊科就诊。",
}


def fields(message: PatientMessage) -> dict[str, dict[str, str]]:
    report = db.session.get(Report, message.report_id)
    organization = db.session.get(Organization, report.organization_id)
    when = as_utc(report.reported_at or report.created_at).astimezone(CLINIC_TZ)
    values = {"thing1": report.patient.name, "thing2": f"{organization.name}"[:20],
              "thing3": report.title[:20], "time4": f"{when:%Y-%m-%d %H:%M}",
              "thing5": NOTES[message.kind][:20]}
    return {key: {"value": value} for key, value in values.items()}


def page(message: PatientMessage) -> str:
    report = db.session.get(Report, message.report_id)
    return f"reports/pages/detail/index?id={report.external_id}"


def alipay_form_id(message: PatientMessage) -> str | None:
    """Alipay delivers only after a payment: the account's latest Alipay trade number."""
    return db.session.execute(select(PaymentOrder.transaction_id).join(
        Booking, Booking.id == PaymentOrder.booking_id).where(
        Booking.account_id == message.account_id, PaymentOrder.channel == "alipay",
        PaymentOrder.transaction_id.is_not(None)).order_by(PaymentOrder.id.desc())
        .limit(1)).scalar_one_or_none()


def data(report: Report) -> dict[str, Any]:
    return {"report": str(report.external_id), "version": report.version}
