"""Sending the follow-up reminders that go by SMS or AI phone call (`FollowUpContact` rows).

SMS goes through Alibaba Cloud (`vendor_clients().sms`). The AI phone call plugs in here as a
`CallPlacer` registered with `register_call_placer(app, placer)`: the app factory registers the
AI caller's (`call_reminders.ScheduledCallPlacer`) when a telephony provider is configured.
Until one is registered the ai_call channel is not offered to the reminder queue, and rows
already queued for it wait (pending), never dropped.

A number the carrier reports out of service marks the resident `phone_unreachable_at`, so the
next reminder picks another channel (or the doctor).
"""

from __future__ import annotations

import logging
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpContact, Organization
from backend.timeutil import utcnow
from backend.vendor_clients import vendor_clients
from backend.vendors.aliyun_sms import UNREACHABLE_CODES
from backend.vendors.errors import VendorError, VendorUnavailable
from followup.channels import REMINDER_KINDS, CallRequest

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
CALL_PLACER = "followup_call_placer"


class CallPlacer(Protocol):
    """Places one AI phone call; returns the call's id. Raises VendorUnavailable to be tried
    again later, VendorError when the call cannot be placed."""

    def place(self, request: CallRequest) -> str: ...


def register_call_placer(app: Flask, placer: CallPlacer) -> None:
    app.extensions[CALL_PLACER] = placer


def call_placer() -> CallPlacer | None:
    return current_app.extensions.get(CALL_PLACER)


def sms_templates() -> dict[str, str]:
    """ALIYUN_SMS_TEMPLATES "followup_due=SMS_1,…" → {"followup_due": "SMS_1", …}."""
    templates = {}
    for part in filter(None, (p.strip() for p in
                              current_app.config["ALIYUN_SMS_TEMPLATES"].split(","))):
        kind, _, code = (item.strip() for item in part.partition("="))
        if kind not in REMINDER_KINDS or not code:
            raise ValueError(f"bad ALIYUN_SMS_TEMPLATES entry {part!r}")
        templates[kind] = code
    return templates


def available_channels(kind: str) -> frozenset[str]:
    """The channels the hospital has set up for this reminder."""
    channels = {"miniprogram"}
    if vendor_clients().sms is not None and kind in sms_templates():
        channels.add("sms")
    if call_placer() is not None:
        channels.add("ai_call")
    return frozenset(channels)


def pending_ids(channel: str, limit: int = 500) -> list[int]:
    return list(db.session.execute(select(FollowUpContact.id).where(
        FollowUpContact.status == "pending", FollowUpContact.channel == channel)
        .order_by(FollowUpContact.id).limit(limit)).scalars())


def send(contact_id: int) -> str:
    """Send one reminder by its channel; safe to run twice (a row is locked and sent once)."""
    contact = db.session.execute(select(FollowUpContact).where(
        FollowUpContact.id == contact_id).with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if contact is None or contact.status != "pending":
        db.session.rollback()
        return "not-pending"
    if contact.task.status != "open":
        return _finish(contact, "skipped", "随访已完成或已取消")
    resident = contact.resident
    if not resident.phone or resident.phone_unreachable_at is not None:
        return _finish(contact, "skipped", "没有可用的电话号码")
    centre = db.session.get(Organization, resident.organization_id)
    if contact.channel == "ai_call":
        placer = call_placer()
        if placer is None:
            db.session.rollback()
            log.warning("ai call waiting: no call placer registered",
                        extra={"follow_up_contact": contact_id})
            return "waiting"
        request = CallRequest(str(contact.external_id), contact.kind, resident.name,
                              resident.phone, centre.name, contact.task.due_on)
        return _attempt(contact, lambda: placer.place(request))
    template = sms_templates().get(contact.kind)
    client = vendor_clients().sms
    if client is None or template is None:
        return _finish(contact, "skipped", "短信未开通")
    params = {"name": resident.name[:10], "centre": centre.name[:20],
              "date": f"{contact.task.due_on.month}月{contact.task.due_on.day}日"}
    return _attempt(contact, lambda: client.send(resident.phone, template, params,
                                                 out_id=str(contact.external_id)))


def _attempt(contact: FollowUpContact, call) -> str:
    contact.attempts += 1
    try:
        contact.vendor_ref = call()
    except VendorUnavailable as error:
        status = "failed" if contact.attempts >= MAX_ATTEMPTS else "pending"
        log.warning("follow-up reminder not sent, will retry",
                    extra={"follow_up_contact": contact.id, "channel": contact.channel})
        return _finish(contact, status, str(error)[:500])
    except VendorError as error:
        if error.code in UNREACHABLE_CODES:
            contact.resident.phone_unreachable_at = utcnow()
            log.warning("resident's phone reported out of service",
                        extra={"follow_up_contact": contact.id})
        else:
            log.error("follow-up reminder refused",
                      extra={"follow_up_contact": contact.id, "code": error.code})
        return _finish(contact, "failed", str(error)[:500])
    return _finish(contact, "sent")


def _finish(contact: FollowUpContact, status: str, error: str | None = None) -> str:
    contact.status, contact.last_error = status, error
    if status == "sent":
        contact.sent_at = utcnow()
    db.session.commit()
    return status
