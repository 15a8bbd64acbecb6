"""Patient messages about bookings: subscribe-message consent, the outbox, and sending.

A message row is written in the transaction of the event it reports (outbox) and sent by a job.
WeChat subscribe messages (订阅消息) and Alipay subscription messages are one-time: every "accept"
the patient taps allows one message of that template; a person who declined is never messaged.
Template ids come from config (`WECHAT_SUBSCRIBE_TEMPLATES`, `ALIPAY_MESSAGE_TEMPLATES`).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import select

from backend.auth import Principal
from backend.errors import ValidationFailed
from backend.extensions import db
from backend.models import (
    Account,
    Booking,
    FollowUpTask,
    MessageSubscription,
    PatientMessage,
    PaymentOrder,
)
from backend.services.deferred import defer
from backend.services.followup import check_reminders, education, handover, reminders
from backend.services.reports import message_content as report_content
from backend.services.vaccination import message_content as vaccination_content
from backend.timeutil import CLINIC_TZ, as_utc, utcnow
from backend.vendor_clients import vendor_clients
from backend.vendors.errors import VendorError, VendorUnavailable
from followup.channels import REMINDER_KINDS

log = logging.getLogger(__name__)

TEMPLATE_KINDS = ("booked", "reminder", "cancelled", "refunded", "report", "followup",
                  "education", "vaccination", "medication")
# Which template each event uses: a stoppage is told with the cancellation template; every
# report message (ready, corrected, a critical value's call to contact the hospital) uses the
# report template.
TEMPLATE_OF = {"booked": "booked", "reminder": "reminder", "cancelled": "cancelled",
               "stopped": "cancelled", "refunded": "refunded", "report_ready": "report",
               "report_corrected": "report", "critical_value": "report",
               "followup_due": "followup", "followup_overdue": "followup",
               "education": "education", "hba1c_due": "followup", "medication": "medication",
               **{kind: "vaccination" for kind in vaccination_content.KINDS}}
MAX_ATTEMPTS = 5
# The user has not accepted (or has used up) this template: WeChat's errcode, Alipay's
# sub-code for a subscription message (our reading of its documents).
NOT_SUBSCRIBED = frozenset({"43101", "USER_NOT_SUBSCRIBED"})


def parse_templates(text: str) -> dict[str, str]:
    """"booked=ID1,reminder=ID2" → {"booked": "ID1", ...}; unknown kinds are a config error."""
    templates = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, template_id = part.partition("=")
        if kind.strip() not in TEMPLATE_KINDS or not template_id.strip():
            raise ValueError(f"bad message template entry {part!r}")
        templates[kind.strip()] = template_id.strip()
    return templates


def channel_of(account: Account) -> str:
    return "wechat" if account.wechat_openid else "alipay"


def templates_for(channel: str) -> dict[str, str]:
    key = "WECHAT_SUBSCRIBE_TEMPLATES" if channel == "wechat" else "ALIPAY_MESSAGE_TEMPLATES"
    return parse_templates(current_app.config[key])


def subscriptions(principal: Principal) -> dict[str, Any]:
    account = db.session.get(Account, principal.account_id)
    rows = db.session.execute(select(MessageSubscription).where(
        MessageSubscription.account_id == account.id)).scalars()
    return {"templates": templates_for(channel_of(account)),
            "accepted": sorted(r.kind for r in rows if r.grants > 0 and not r.declined)}


def record_choices(principal: Principal, results: dict[str, str]) -> dict[str, Any]:
    """Store what the patient chose in `wx.requestSubscribeMessage` / `my.requestSubscribeMessage`
    ({template_id: "accept" | "reject" | "ban"})."""
    account = db.session.get(Account, principal.account_id)
    kinds = {template: kind for kind, template in templates_for(channel_of(account)).items()}
    for template_id, choice in results.items():
        if template_id not in kinds:
            raise ValidationFailed("没有这个消息模板。", field=f"results.{template_id}")
        if choice not in ("accept", "reject", "ban", "filter"):
            raise ValidationFailed("选择结果无法识别。", field=f"results.{template_id}")
    for template_id, choice in results.items():
        kind = kinds[template_id]
        row = db.session.execute(select(MessageSubscription).where(
            MessageSubscription.account_id == account.id, MessageSubscription.kind == kind)
            .with_for_update()).scalar_one_or_none()
        if row is None:
            row = MessageSubscription(account_id=account.id, kind=kind, grants=0, declined=False)
            db.session.add(row)
        if choice == "accept":
            row.grants, row.declined = min((row.grants or 0) + 1, 50), False
        else:
            row.grants, row.declined = 0, True
    db.session.commit()
    return subscriptions(principal)


def notify(booking: Booking, kind: str, data: dict[str, Any], dedupe: str | None = None) -> None:
    """Queue a message about `booking` in the current transaction (sent after commit)."""
    key = f"{kind}:{booking.external_id}" + (f":{dedupe}" if dedupe else "")
    exists = db.session.execute(select(PatientMessage.id).where(
        PatientMessage.dedupe_key == key)).scalar_one_or_none()
    if exists is not None:
        return
    message = PatientMessage(dedupe_key=key, account_id=booking.account_id, booking_id=booking.id,
                             kind=kind, status="pending", data=data, attempts=0)
    db.session.add(message)
    db.session.flush()
    defer("backend.jobs.messages:send_message", message.id)


def _fields(message: PatientMessage, booking: Booking) -> dict[str, dict[str, str]]:
    """The template's fields (thing1…): who, where, when, and what to do now."""
    when = as_utc(booking.slot.starts_at).astimezone(CLINIC_TZ)
    note = {
        "booked": "预约成功，请提前30分钟到院签到。",
        "reminder": "明天就诊，请带好身份证或医保卡。",
        "cancelled": message.data.get("reason") or "预约已取消。",
        "stopped": message.data.get("reason") or "医生停诊，预约已取消，挂号费原路退回。",
        "refunded": message.data.get("reason") or "挂号费已原路退回。",
    }[message.kind]
    fields = {"thing1": booking.patient.name,
              "thing2": f"{booking.organization.name}{booking.department.name}"[:20],
              "time3": f"{when:%Y-%m-%d %H:%M}", "thing4": note[:20]}
    if message.kind == "refunded":
        fen = message.data.get("amount_fen", booking.fee_fen)
        fields["amount5"] = f"{fen // 100}.{fen % 100:02d}元"
    return {key: {"value": value} for key, value in fields.items()}


def _alipay_form_id(booking: Booking) -> str | None:
    """Alipay delivers a message that follows a payment, named by its trade number."""
    return db.session.execute(select(PaymentOrder.transaction_id).where(
        PaymentOrder.booking_id == booking.id, PaymentOrder.channel == "alipay",
        PaymentOrder.transaction_id.is_not(None)).order_by(PaymentOrder.id.desc())
        .limit(1)).scalar_one_or_none()


def _finish(message: PatientMessage, status: str, error: str | None = None) -> str:
    message.status, message.last_error = status, error
    if status == "sent":
        message.sent_at = utcnow()
    elif status in ("skipped", "failed") and message.kind in REMINDER_KINDS \
            and message.followup_task_id is not None:
        task = db.session.get(FollowUpTask, message.followup_task_id)
        handover.pass_on(task, message.kind, "miniprogram", message.dedupe_key, error or status)
    db.session.commit()
    return status


def send(message_id: int) -> str:
    """Send one message if the patient agreed to it; safe to run twice."""
    message = db.session.execute(select(PatientMessage).where(PatientMessage.id == message_id)
                                 .with_for_update(skip_locked=True)).scalar_one_or_none()
    if message is None or message.status != "pending":
        db.session.rollback()
        return "not-pending"
    account = db.session.get(Account, message.account_id)
    channel, template_kind = channel_of(account), TEMPLATE_OF[message.kind]
    message.channel = channel
    template_id = templates_for(channel).get(template_kind)
    subscription = db.session.execute(select(MessageSubscription).where(
        MessageSubscription.account_id == account.id, MessageSubscription.kind == template_kind)
        .with_for_update()).scalar_one_or_none()
    if not template_id or subscription is None or subscription.declined \
            or subscription.grants <= 0:
        return _finish(message, "skipped", "未订阅")
    if message.report_id is not None:
        fields, page = report_content.fields(message), report_content.page(message)
        form_id = report_content.alipay_form_id(message) if channel == "alipay" else None
    elif message.kind in check_reminders.KINDS:
        fields, page, form_id = check_reminders.fields(message), check_reminders.PAGE, None
    elif message.followup_task_id is not None or message.kind == "education":
        form_id = None  # no payment to name: on Alipay a subscription message
        fields, page = ((reminders.fields(message), reminders.PAGE)
                        if message.followup_task_id is not None
                        else (education.fields(message), education.PAGE))
    elif message.patient_id is not None:  # a child's vaccination message
        fields, page = vaccination_content.fields(message), vaccination_content.page(message)
        form_id = report_content.alipay_form_id(message) if channel == "alipay" else None
    else:
        booking = db.session.get(Booking, message.booking_id)
        fields, page = _fields(message, booking), f"pages/booking/detail?id={booking.external_id}"
        form_id = _alipay_form_id(booking) if channel == "alipay" else None
    message.attempts += 1
    try:
        if channel == "wechat":
            vendor_clients().wechat.send_subscribe_message(
                account.wechat_openid, template_id, fields, page=page)
        else:  # without a trade to name, a subscription message (the grant checked above)
            vendor_clients().alipay.send_template_message(
                account.alipay_user_id, template_id, form_id, fields, page)
    except VendorUnavailable as exc:
        status = "failed" if message.attempts >= MAX_ATTEMPTS else "pending"
        log.warning("message not sent, will retry", extra={"patient_message": message_id})
        return _finish(message, status, str(exc)[:500])
    except VendorError as exc:
        if exc.code in NOT_SUBSCRIBED:
            subscription.grants = 0
            return _finish(message, "skipped", "用户未授权")
        log.error("message refused by the platform", extra={"patient_message": message_id})
        return _finish(message, "failed", str(exc)[:500])
    subscription.grants -= 1
    return _finish(message, "sent")


def pending_ids(limit: int = 500) -> list[int]:
    return list(db.session.execute(select(PatientMessage.id).where(
        PatientMessage.status == "pending").order_by(PatientMessage.id).limit(limit)).scalars())
