"""Paying for a booking through both gateways' simulators over real HTTP: confirmation from the
gateway's signed notification, replays and forgeries, late payments, lost news, refunds."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import time_machine

from backend.jobs.bookings import expire_due_holds
from backend.jobs.payments import dispatch_repairs
from backend.timeutil import utcnow
from backend.vendor_clients import build_gateways, vendor_clients
from tests import booking_support as b
from tests.booking_support import (
    booking,
    gateway_pays,
    held_booking,
    order_of,
    resend,
    start_payment,
)


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_paying_confirms_the_booking_from_the_gateways_signed_notification(
        web, simulators, channel):
    _, who, booking_id = held_booking(web, channel)
    payment = start_payment(web, who, booking_id, channel)
    assert payment.status_code == 201, payment.json
    params = payment.json["data"]["params"]
    expected = {"timeStamp", "nonceStr", "package", "signType", "paySign"} \
        if channel == "wechat" else {"tradeNO"}
    assert set(params) == expected and payment.json["data"]["amount_fen"] == 1500
    again = start_payment(web, who, booking_id, channel)
    assert again.json["data"]["order_id"] == payment.json["data"]["order_id"]  # not a 2nd order
    order = order_of(booking_id)
    gateway_pays(simulators, channel, order.out_trade_no)
    shown = booking(web, who, booking_id)
    assert shown["status"] == "confirmed" and shown["status_label"] == "预约成功"
    assert shown["payment"]["status"] == "paid" and shown["hold_expires_at"] is None
    order = order_of(booking_id)
    assert [(t.from_status, t.to_status, t.source) for t in order.transitions] == [
        ("", "created", "api"), ("created", "paid", "notify")]
    assert order.transaction_id


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_a_replayed_notification_changes_nothing_and_is_still_acknowledged(
        web, simulators, channel):
    _, who, booking_id = held_booking(web, channel)
    start_payment(web, who, booking_id, channel)
    out_trade_no = order_of(booking_id).out_trade_no
    gateway_pays(simulators, channel, out_trade_no)
    replay = resend(simulators, channel, out_trade_no)
    assert replay.status_code == 200, replay.text
    delivery = replay.json().get("delivery") or replay.json().get("notification")
    assert delivery["status"] in (200, 204)
    assert len(order_of(booking_id).transitions) == 2


@pytest.mark.parametrize(("channel", "headers", "body"), [
    ("wechat", {"Wechatpay-Serial": "PUB_KEY_ID_DEMO", "Wechatpay-Signature": "Zm9yZ2Vk",
                "Wechatpay-Timestamp": "1700000000", "Wechatpay-Nonce": "n",
                "Content-Type": "application/json"},
     b'{"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{}}'),
    ("alipay", {"Content-Type": "application/x-www-form-urlencoded"},
     b"trade_status=TRADE_SUCCESS&out_trade_no=FD1&total_amount=15.00&sign=Zm9yZ2Vk"
     b"&sign_type=RSA2&app_id=2021000000000000&notify_id=1"),
])
def test_forged_notifications_are_refused_and_change_nothing(web, channel, headers, body):
    _, who, booking_id = held_booking(web, channel)
    start_payment(web, who, booking_id, channel)
    order = order_of(booking_id)
    forged = body.replace(b"FD1", order.out_trade_no.encode())
    response = web.post(f"/api/v1/notify/{channel}", data=forged, headers=headers)
    assert response.status_code in (200, 500)
    assert response.get_data(as_text=True) in ("failure", '{"code": "FAIL", "message": "失败"}',
                                               '{"code":"FAIL","message":"失败"}')
    assert order_of(booking_id).status == "created"
    assert booking(web, who, booking_id)["status"] == "held"


def test_an_unknown_channel_has_no_callback(web):
    assert web.post("/api/v1/notify/unionpay", data=b"x").status_code == 404


@pytest.fixture()
def gateways_down(served, monkeypatch):
    """Point the app's gateways at a closed port (the simulators themselves keep running)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    clients = vendor_clients()
    working = clients.payments
    monkeypatch.setattr(clients, "_payments", build_gateways({
        **served.config, "WECHATPAY_API_BASE_URL": dead,
        "ALIPAY_GATEWAY_URL": dead + "/gateway.do"}))
    yield
    monkeypatch.setattr(clients, "_payments", working)


def _paid_but_news_lost_and_hold_expired(web, simulators, channel, request):
    """The patient paid in time, the notification was lost, and the expiry job could not reach
    the gateway, so the hold lapsed and its place went back to the pool."""
    clinic, who, booking_id = held_booking(web, channel, capacity=1, slots=1)
    start_payment(web, who, booking_id, channel)
    out_trade_no = order_of(booking_id).out_trade_no
    gateway_pays(simulators, channel, out_trade_no, notify=False)
    request.getfixturevalue("gateways_down")
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert expire_due_holds() == 1
    request.getfixturevalue("monkeypatch").undo()
    assert booking(web, who, booking_id)["status"] == "expired"
    assert b.remaining(clinic.slot_ids[0]) == 1
    return clinic, who, booking_id, out_trade_no


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_a_late_payment_whose_place_was_taken_is_refunded_and_the_patient_told(
        web, simulators, channel, request):
    clinic, who, booking_id, out_trade_no = _paid_but_news_lost_and_hold_expired(
        web, simulators, channel, request)
    assert b.hold(web, b.patient(), clinic.slot_ids[0]).status_code == 201
    assert resend(simulators, channel, out_trade_no).status_code == 200
    order = order_of(booking_id)
    assert order.status in ("refunding", "refunded")
    assert "号已被别人约走" in order.refund_reason
    assert [t.to_status for t in order.transitions][:4] == [
        "created", "closed", "paid", "refunding"]
    shown = booking(web, who, booking_id)
    assert shown["status"] == "expired" and "号已被别人约走" in shown["payment"]["refund_reason"]
    assert b.remaining(clinic.slot_ids[0]) == 0  # nothing oversold


def test_a_late_payment_whose_place_is_still_free_confirms_the_booking(
        web, simulators, request):
    clinic, who, booking_id, out_trade_no = _paid_but_news_lost_and_hold_expired(
        web, simulators, "wechat", request)
    assert resend(simulators, "wechat", out_trade_no).status_code == 200
    assert booking(web, who, booking_id)["status"] == "confirmed"
    assert b.remaining(clinic.slot_ids[0]) == 0


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_a_payment_whose_news_never_came_is_found_by_the_repair_job(
        web, simulators, channel):
    _, who, booking_id = held_booking(web, channel)
    start_payment(web, who, booking_id, channel)
    gateway_pays(simulators, channel, order_of(booking_id).out_trade_no, notify=False)
    assert booking(web, who, booking_id)["status"] == "held"
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        assert dispatch_repairs() == 1
    assert booking(web, who, booking_id)["status"] == "confirmed"
    assert order_of(booking_id).transitions[-1].source == "query"


def test_the_expiry_job_confirms_a_paid_hold_instead_of_releasing_it(web, simulators):
    clinic, who, booking_id = held_booking(web)
    start_payment(web, who, booking_id)
    gateway_pays(simulators, "wechat", order_of(booking_id).out_trade_no, notify=False)
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        expire_due_holds()
    assert booking(web, who, booking_id)["status"] == "confirmed"
    assert b.remaining(clinic.slot_ids[0]) == 2
