"""Messages about bookings reach only people who agreed to them, once each."""

from __future__ import annotations

import requests
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.messages import dispatch_pending_messages
from backend.models import PatientMessage
from tests import factories as f
from tests.booking_support import gateway_pays, held_booking, order_of, start_payment

TEMPLATES = {"booked": "tmpl-booked", "reminder": "tmpl-reminder",
             "cancelled": "tmpl-cancelled", "refunded": "tmpl-refunded",
             "report": "tmpl-report", "followup": "tmpl-followup",
             "education": "tmpl-education", "vaccination": "tmpl-vaccination",
             "medication": "tmpl-medication"}


def choose(web, who, results):
    return web.put("/api/v1/mp/subscriptions", headers=who.headers, json={"results": results})


def pay(web, simulators, who, booking_id, channel="wechat"):
    start_payment(web, who, booking_id, channel)
    gateway_pays(simulators, channel, order_of(booking_id).out_trade_no)


def sent_to(simulators, openid):
    return requests.get(simulators.url("wechat") + "/_sim/messages", params={"openid": openid},
                        timeout=5).json()["messages"]


def statuses():
    db.session.expire_all()
    return {m.kind: m.status for m in db.session.execute(select(PatientMessage)).scalars()}


def test_the_templates_to_ask_for_come_from_config(web, simulators):
    _, who, _ = held_booking(web)
    shown = web.get("/api/v1/mp/subscriptions", headers=who.headers).json["data"]
    assert shown == {"templates": TEMPLATES, "accepted": []}
    bad = choose(web, who, {"tmpl-unknown": "accept"})
    assert bad.status_code == 422


def test_a_patient_who_accepted_gets_the_booked_message_once(web, simulators):
    _, who, booking_id = held_booking(web)
    f.wechat_code(simulators, who.openid)  # the user exists at WeChat
    requests.post(simulators.url("wechat") + "/_sim/subscriptions", timeout=5,
                  json={"openid": who.openid, "template_id": "tmpl-booked"})
    assert choose(web, who, {"tmpl-booked": "accept"}).json["data"]["accepted"] == ["booked"]
    pay(web, simulators, who, booking_id)
    messages = sent_to(simulators, who.openid)
    assert len(messages) == 1 and messages[0]["template_id"] == "tmpl-booked"
    assert messages[0]["data"]["thing1"]["value"] == "测试者"
    assert statuses()["booked"] == "sent"
    dispatch_pending_messages()
    assert len(sent_to(simulators, who.openid)) == 1
    shown = web.get("/api/v1/mp/subscriptions", headers=who.headers).json["data"]
    assert shown["accepted"] == []  # the one-time acceptance is used up


def test_a_patient_who_declined_is_not_messaged(web, simulators):
    _, who, booking_id = held_booking(web)
    f.wechat_code(simulators, who.openid)
    choose(web, who, {"tmpl-booked": "reject"})
    pay(web, simulators, who, booking_id)
    assert sent_to(simulators, who.openid) == []
    assert statuses()["booked"] == "skipped"


def test_an_alipay_patient_is_messaged_after_the_payment_it_follows(web, simulators):
    _, who, booking_id = held_booking(web, "alipay")
    choose(web, who, {"tmpl-booked": "accept"})
    pay(web, simulators, who, booking_id, "alipay")
    assert statuses()["booked"] == "sent"
    sent = requests.get(simulators.url("alipay") + "/_sim/template-messages", timeout=5).json()
    mine = [m for m in sent["messages"] if m["form_id"] == order_of(booking_id).transaction_id]
    assert len(mine) == 1 and mine[0]["user_template_id"] == "tmpl-booked"
