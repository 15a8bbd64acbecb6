"""A resident who uses the Alipay mini-program and accepted the follow-up message gets the
reminder there, as an Alipay subscription message (no payment to name) through the signed
gateway; when Alipay will not deliver it, the reminder falls back to SMS for a resident who
agreed to texts, else to the doctor's worklist."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import requests
from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpContact, FollowUpTask, MessageSubscription, PatientMessage
from backend.services import messages
from backend.services.followup import contacts
from backend.services.followup.due_scan import scan
from backend.services.followup.reminders import queue_reminders
from backend.timeutil import utcnow
from backend.vendors.alipay import AlipayOpenApi
from backend.vendors.errors import VendorError
from simulators.keys import generate_rsa_keypair
from tests import factories as f
from tests import followup_support as fs

TODAY = date(2026, 12, 5)
TEMPLATE = "tmpl-followup"  # the demo's ALIPAY_MESSAGE_TEMPLATES followup=…


def _alipay_resident(simulators, phone, *, accepted_at_alipay=True, sms=False):
    user_id = "2088" + str(uuid.uuid4().int)[:12]
    acct = f.account(wechat_openid=None, alipay_user_id=user_id)
    org = f.organization()
    person = fs.resident(org, name="冯大妈", phone=phone)
    person.patient_id = f.profile(acct, name="冯大妈").id
    person.sms_consented_at = utcnow() if sms else None
    db.session.add(MessageSubscription(account_id=acct.id, kind="followup", grants=1,
                                       declined=False))
    db.session.commit()
    fs.enrol(person, f.staff(org), next_due_on=date(2026, 12, 10))
    if accepted_at_alipay:  # what my.requestSubscribeMessage's 允许 tells Alipay
        requests.post(simulators.url("alipay") + "/_sim/subscriptions", timeout=5,
                      json={"user_id": user_id, "template_id": TEMPLATE})
    return user_id


def _sent_to(simulators, user_id):
    return requests.get(simulators.url("alipay") + "/_sim/template-messages", timeout=5,
                        params={"to_user_id": user_id}).json()["messages"]


def _send_app_reminder():
    scan(TODAY)
    counts = queue_reminders(TODAY)["followup_due"]
    [message_id] = messages.pending_ids()
    return counts, messages.send(message_id)


def test_an_alipay_resident_gets_the_reminder_as_a_subscription_message(ctx, simulators):
    user_id = _alipay_resident(simulators, "13900000811", sms=True)
    counts, status = _send_app_reminder()
    assert counts["miniprogram"] == 1 and counts["sms"] == 0  # the app first, as on WeChat
    assert status == "sent"
    [sent] = _sent_to(simulators, user_id)
    assert (sent["kind"], sent["form_id"], sent["user_template_id"]) == (
        "subscription", None, TEMPLATE)
    assert sent["data"]["thing1"]["value"] == "冯大妈"
    assert sent["page"] == "followup/pages/vitals/index"
    db.session.remove()
    assert db.session.execute(select(FollowUpContact)).scalars().all() == []  # no SMS too


def test_when_alipay_will_not_deliver_the_reminder_goes_by_sms(ctx, simulators):
    user_id = _alipay_resident(simulators, "13900000812", accepted_at_alipay=False, sms=True)
    _, status = _send_app_reminder()
    assert status == "skipped"
    assert _sent_to(simulators, user_id) == []
    db.session.remove()
    grant = db.session.execute(select(MessageSubscription)).scalar_one()
    assert grant.grants == 0  # Alipay says the acceptance is used up or absent
    [contact_id] = contacts.pending_ids("sms")
    contact = db.session.get(FollowUpContact, contact_id)
    assert contact.dedupe_key.endswith(":after-app")
    assert contacts.send(contact_id) == "sent"
    texts = requests.get(simulators.url("aliyun_sms") + "/_sim/messages", timeout=5,
                         params={"phone": "13900000812"}).json()["messages"]
    assert len(texts) == 1 and "冯大妈" in texts[0]["text"]
    assert queue_reminders(TODAY)["followup_due"] == {  # and nothing is queued twice
        "miniprogram": 0, "sms": 0, "ai_call": 0, "doctor": 0}


def test_without_sms_consent_the_doctor_is_told_why(ctx, simulators):
    _alipay_resident(simulators, "13900000813", accepted_at_alipay=False, sms=False)
    assert _send_app_reminder()[1] == "skipped"
    db.session.remove()
    task = db.session.execute(select(FollowUpTask)).scalar_one()
    assert task.unreached_note.startswith("小程序提醒未送达（用户未授权）")
    assert db.session.execute(select(PatientMessage.status)).scalars().all() == ["skipped"]


def test_the_alipay_gateway_refuses_a_wrongly_signed_message(ctx, simulators):
    config = current_app.config
    forger = AlipayOpenApi(config["ALIPAY_APP_ID"], generate_rsa_keypair().private_pem,
                           config["ALIPAY_PUBLIC_KEY"], gateway_url=config["ALIPAY_GATEWAY_URL"])
    with pytest.raises(VendorError) as refused:
        forger.send_template_message("2088000000000001", TEMPLATE, None,
                                     {"thing1": {"value": "x"}}, "pages/index/index")
    assert refused.value.code == "isv.invalid-signature"
