"""SMS delivery receipts (短信状态报告) for follow-up reminders, from Alibaba Cloud's HTTP push
(SmsReport) or pulled with QuerySendDetails; either way each is applied once.

A receipt counts only when its BizId, our OutId and the phone number all match the reminder
we sent (the push carries no signature, so its URL holds our token and its content must name
a message we sent). Delivered: done. Undelivered: a dead number is marked out of service, and
the reminder passes on (`handover`): the next channel after SMS that the resident allows, or
the doctor's worklist with the reason.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpContact
from backend.services.followup import handover
from backend.timeutil import utcnow
from backend.vendor_clients import vendor_clients
from backend.vendors.aliyun_sms import BEIJING, DEAD_NUMBER_RECEIPTS, SmsReceipt
from backend.vendors.errors import VendorError, VendorUnavailable

log = logging.getLogger(__name__)
SETTLE = timedelta(minutes=1)  # ask for a receipt no sooner than this after sending
NO_RECEIPT_AFTER = timedelta(hours=72)  # carriers report within this; silence is a failure
NO_RECEIPT = "NO_RECEIPT_72H"
RECEIPT_WORDS = {NO_RECEIPT: "72小时无回执", "MOBILE_NOT_ON_SERVICE": "停机或空号"}


def apply(receipt: SmsReceipt) -> str:
    """Apply one receipt in its own transaction: applied | duplicate | waiting | unknown."""
    if receipt.outcome == "waiting":
        return "waiting"
    candidates = db.session.execute(select(FollowUpContact).where(
        FollowUpContact.vendor_ref == receipt.biz_id, FollowUpContact.channel == "sms",
        FollowUpContact.status == "sent").with_for_update()).scalars().all()
    contact = next((c for c in candidates if _same_message(c, receipt)), None)
    if contact is None:
        db.session.rollback()
        log.warning("sms receipt for no message of ours", extra={"biz_id": receipt.biz_id})
        return "unknown"
    if contact.delivery is not None:
        db.session.rollback()
        return "duplicate"
    contact.delivery, contact.receipt_code = receipt.outcome, (receipt.code or "")[:64]
    contact.receipt_at = receipt.reported_at or utcnow()
    if receipt.outcome == "undelivered":
        _pass_on(contact, receipt.code or "")
    db.session.commit()
    return "applied"


def _same_message(contact: FollowUpContact, receipt: SmsReceipt) -> bool:
    """Our OutId and the number (the push may mask its last digits with *)."""
    if receipt.out_id and receipt.out_id != str(contact.external_id):
        return False
    phone, shown = contact.resident.phone or "", receipt.phone.removeprefix("86")
    visible = shown.rstrip("*")
    return bool(visible) and len(shown) == len(phone) and phone.startswith(visible)


def _pass_on(contact: FollowUpContact, code: str) -> None:
    resident = contact.resident
    if code in DEAD_NUMBER_RECEIPTS and resident.phone_unreachable_at is None:
        resident.phone_unreachable_at = utcnow()
        log.warning("resident's phone reported out of service by a receipt",
                    extra={"follow_up_contact": contact.id})
    contact.passed_to = handover.pass_on(contact.task, contact.kind, "sms", contact.dedupe_key,
                                         RECEIPT_WORDS.get(code, code) or "原因不明")


def awaiting_ids(limit: int = 500) -> list[int]:
    """Sent texts without a receipt yet, oldest first."""
    return list(db.session.execute(select(FollowUpContact.id).where(
        FollowUpContact.status == "sent", FollowUpContact.channel == "sms",
        FollowUpContact.delivery.is_(None), FollowUpContact.sent_at <= utcnow() - SETTLE)
        .order_by(FollowUpContact.id).limit(limit)).scalars())


def pull(contact_id: int) -> str:
    """Ask Alibaba Cloud for one text's receipt (QuerySendDetails) and apply it; after
    NO_RECEIPT_AFTER without one, count it undelivered. Safe to run beside the push."""
    contact = db.session.get(FollowUpContact, contact_id)
    client = vendor_clients().sms
    if contact is None or contact.delivery is not None or client is None \
            or not contact.vendor_ref or not contact.resident.phone:
        db.session.rollback()
        return "skipped"
    phone, biz_id, sent_at = contact.resident.phone, contact.vendor_ref, contact.sent_at
    out_id = str(contact.external_id)
    db.session.rollback()  # no transaction held open across the network call
    try:
        found = client.receipts(phone, biz_id, sent_at.astimezone(BEIJING).date())
    except (VendorUnavailable, VendorError) as error:
        log.warning("sms receipt query failed", extra={"follow_up_contact": contact_id,
                                                       "error": str(error)[:200]})
        return "error"
    receipt = next((r for r in found if r.out_id in (None, "", out_id)), None)
    if (receipt is None or receipt.outcome == "waiting") and \
            utcnow() - sent_at >= NO_RECEIPT_AFTER:
        receipt = SmsReceipt(biz_id, out_id, phone, "undelivered", NO_RECEIPT, utcnow())
    return apply(receipt) if receipt is not None else "waiting"
