"""After payment: cancel and refund, 停诊, news out of order, a crash mid-refund, check-in and
the queue, day-before reminders and no-shows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.bookings import mark_no_shows, send_reminders
from backend.jobs.payments import dispatch_repairs
from backend.models import PatientMessage
from backend.services import payments as payment_service
from backend.timeutil import CLINIC_TZ, local_today, utcnow
from tests import booking_support as b
from tests.booking_support import (
    booking,
    gateway_pays,
    held_booking,
    order_of,
    resend,
    start_payment,
)


def paid_booking(web, simulators, channel="wechat", **clinic_args):
    clinic, who, booking_id = held_booking(web, channel, **clinic_args)
    start_payment(web, who, booking_id, channel)
    gateway_pays(simulators, channel, order_of(booking_id).out_trade_no)
    assert booking(web, who, booking_id)["status"] == "confirmed"
    return clinic, who, booking_id


def cancel(web, who, booking_id):
    return web.post(f"/api/v1/mp/bookings/{booking_id}/cancel", headers=who.headers,
                       json={"reason": "临时有事"})


def messages_of(booking_id):
    db.session.expire_all()
    order = order_of(booking_id)
    return sorted(m.kind for m in db.session.execute(select(PatientMessage).where(
        PatientMessage.booking_id == order.booking_id)).scalars())


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_cancelling_before_the_cut_off_refunds_in_full_through_the_same_channel(
        web, simulators, channel):
    clinic, who, booking_id = paid_booking(web, simulators, channel)
    cancelled = cancel(web, who, booking_id)
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["data"]["status"] == "cancelled"
    assert b.remaining(clinic.slot_ids[0]) == 3
    order = order_of(booking_id)
    assert order.status in ("refunding", "refunded") and order.refund_fen == order.amount_fen
    if order.status == "refunding":  # WeChat finishes the refund and then calls back
        db.session.expire_all()
    assert [t.to_status for t in order.transitions][:3] == ["created", "paid", "refunding"]
    assert {"booked", "cancelled"} <= set(messages_of(booking_id))


def test_cancelling_after_the_cut_off_is_refused(web, simulators):
    _, who, booking_id = paid_booking(web, simulators, days_ahead=1)
    day = local_today() + timedelta(days=1)
    with time_machine.travel(datetime(day.year, day.month, day.day, 7, 0, tzinfo=CLINIC_TZ)):
        refused = cancel(web, who, booking_id)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "cancel_deadline_passed"
    assert order_of(booking_id).status == "paid"


def test_a_stoppage_cancels_refunds_and_tells_every_patient(web, simulators):
    clinic, who, paid_id = paid_booking(web, simulators)
    other = b.patient()
    held_id = b.hold(web, other, clinic.slot_ids[1]).json["data"]["id"]
    start_payment(web, other, held_id)
    stopped = web.post(f"/api/v1/admin/schedules/{clinic.schedule_id}/stop",
                          headers=clinic.admin, json={"reason": "医生临时外出会诊"})
    assert stopped.status_code == 200
    assert booking(web, who, paid_id)["status"] == "stopped"
    assert order_of(paid_id).status in ("refunding", "refunded")
    assert "stopped" in messages_of(paid_id)
    assert booking(web, other, held_id)["status"] == "stopped"
    assert order_of(held_id).status == "closed"
    assert b.remaining(clinic.slot_ids[0]) == 3 and b.remaining(clinic.slot_ids[1]) == 3


def test_a_payment_notification_arriving_after_the_refund_changes_nothing(web, simulators):
    _, who, booking_id = held_booking(web)
    start_payment(web, who, booking_id)
    out_trade_no = order_of(booking_id).out_trade_no
    gateway_pays(simulators, "wechat", out_trade_no, notify=False)
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        dispatch_repairs()  # the payment is found by query
    assert cancel(web, who, booking_id).status_code == 200
    before = [t.to_status for t in order_of(booking_id).transitions]
    assert resend(simulators, "wechat", out_trade_no).status_code == 200  # the old news
    after = order_of(booking_id)
    assert [t.to_status for t in after.transitions] == before
    assert after.status in ("refunding", "refunded")
    assert booking(web, who, booking_id)["status"] == "cancelled"


def test_a_crash_after_the_gateway_refunded_is_repaired(web, simulators, monkeypatch):
    _, who, booking_id = paid_booking(web, simulators, "alipay")

    def crash(*_args, **_kwargs):
        raise RuntimeError("worker killed after the gateway answered")

    monkeypatch.setattr(payment_service, "apply_refund", crash)
    assert cancel(web, who, booking_id).status_code == 200
    assert order_of(booking_id).status == "refunding"
    monkeypatch.undo()
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        assert dispatch_repairs() == 1
    order = order_of(booking_id)
    assert order.status == "refunded" and order.refunded_at is not None


def test_check_in_gives_a_queue_number_and_the_queue_shows_who_is_ahead(web, simulators):
    clinic, first, first_id = paid_booking(web, simulators, days_ahead=1)
    second = b.patient()
    second_id = b.hold(web, second, clinic.slot_ids[0]).json["data"]["id"]
    start_payment(web, second, second_id)
    gateway_pays(simulators, "wechat", order_of(second_id).out_trade_no)
    day = local_today() + timedelta(days=1)
    early = datetime(day.year, day.month, day.day, 6, 0, tzinfo=CLINIC_TZ)
    with time_machine.travel(early):
        refused = web.post(f"/api/v1/mp/bookings/{first_id}/check-in", headers=first.headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "check_in_not_open"
    with time_machine.travel(early + timedelta(hours=1, minutes=40)):
        one = web.post(f"/api/v1/mp/bookings/{first_id}/check-in", headers=first.headers)
        two = web.post(f"/api/v1/mp/bookings/{second_id}/check-in", headers=second.headers)
    assert one.status_code == 200, one.json
    assert (one.json["data"]["queue"]["number"], two.json["data"]["queue"]["number"]) == (1, 2)
    queue = web.get(f"/api/v1/mp/bookings/{second_id}/queue", headers=second.headers).json
    assert queue["data"]["ahead"] == 1 and queue["data"]["estimated_wait_minutes"] == 8
    board = web.put(f"/api/v1/admin/schedules/{clinic.schedule_id}/queue",
                       headers=clinic.admin, json={"now_serving": 1, "minutes_per_patient": 5})
    assert board.status_code == 200
    db.session.expire_all()
    queue = web.get(f"/api/v1/mp/bookings/{second_id}/queue", headers=second.headers).json
    assert queue["data"]["ahead"] == 0 and queue["data"]["status"] == "waiting"
    first_queue = web.get(f"/api/v1/mp/bookings/{first_id}/queue", headers=first.headers).json
    assert first_queue["data"]["status"] == "called"


def test_the_day_before_reminder_is_queued_once(web, simulators):
    _, _, booking_id = paid_booking(web, simulators, days_ahead=1)
    assert send_reminders() == 1
    assert send_reminders() == 0
    assert messages_of(booking_id).count("reminder") == 1


def test_a_paid_booking_never_checked_in_becomes_a_no_show(web, simulators):
    _, who, booking_id = paid_booking(web, simulators, days_ahead=1)
    with time_machine.travel(utcnow() + timedelta(days=2)):
        assert mark_no_shows() == 1
    assert booking(web, who, booking_id)["status"] == "no_show"
