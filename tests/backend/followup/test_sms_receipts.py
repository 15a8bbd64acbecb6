"""A follow-up text's carrier receipt (状态报告) reaches the reminder, pulled with
QuerySendDetails or pushed by SmsReport to our token URL, once either way; an undelivered text
passes the reminder to the next channel the resident allows, or to the doctor's worklist, and a
receipt that names no text of ours changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
import time_machine
from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    FollowUpContact,
    FollowUpTask,
    MessageSubscription,
    PatientMessage,
    Resident,
)
from backend.services.followup import contacts, sms_receipts
from backend.services.followup.due_scan import scan
from backend.services.followup.reminders import queue_reminders
from backend.timeutil import utcnow
from simulators.server import SimulatorServer
from tests import factories as f
from tests import followup_support as fs

TODAY = date(2026, 12, 5)
TOKEN = "receipts-secret"


class RecordingCallPlacer:
    def __init__(self) -> None:
        self.requests = []

    def place(self, request):
        self.requests.append(request)
        return f"call-{len(self.requests)}"


def _texted(simulators, phone, *, call=False, app=False, due=date(2026, 12, 10), control=None):
    """A resident who agreed to texts, reminded by SMS, the text sent; `control` first tells
    the simulated carrier what to do with this number."""
    org = f.organization()
    doctor = f.staff(org)
    person = fs.resident(org, name="赵六", phone=phone)
    person.sms_consented_at = utcnow()
    person.call_consented_at = utcnow() if call else None
    if app:
        acct = f.account()
        person.patient_id = f.profile(acct, name="赵六").id
        db.session.add(MessageSubscription(account_id=acct.id, kind="followup", grants=1,
                                           declined=False))
    db.session.commit()
    fs.enrol(person, doctor, next_due_on=due)
    if control:
        path, body = control
        requests.post(simulators.url("aliyun_sms") + path, json={"phone": phone, **body},
                      timeout=5)
    scan(TODAY)
    queue_reminders(TODAY)
    [contact_id] = contacts.pending_ids("sms")
    assert contacts.send(contact_id) == "sent"
    return person, contact_id, f.bearer(f.staff_token(doctor))


def _contact(contact_id):
    db.session.remove()
    return db.session.get(FollowUpContact, contact_id)


def test_a_delivered_text_is_marked_delivered_once(ctx, simulators):
    _, contact_id, _ = _texted(simulators, "13900000711")
    assert sms_receipts.pull(contact_id) == "applied"
    contact = _contact(contact_id)
    assert (contact.delivery, contact.receipt_code, contact.passed_to) == (
        "delivered", "DELIVERED", None)
    assert sms_receipts.pull(contact_id) == "skipped"  # applied once


def test_an_undelivered_text_passes_the_reminder_to_the_ai_call(ctx, simulators):
    person, contact_id, _ = _texted(simulators, "13900000712", call=True, control=(
        "/_sim/undeliverable", {"code": "MOBILE_TERMINAL_ERROR"}))
    contacts.register_call_placer(current_app, RecordingCallPlacer())
    try:
        assert sms_receipts.pull(contact_id) == "applied"
    finally:
        current_app.extensions.pop(contacts.CALL_PLACER)
    contact = _contact(contact_id)
    assert (contact.delivery, contact.receipt_code, contact.passed_to) == (
        "undelivered", "MOBILE_TERMINAL_ERROR", "ai_call")
    calls = db.session.execute(select(FollowUpContact).where(
        FollowUpContact.channel == "ai_call")).scalars().all()
    assert [(c.resident_id, c.status, c.dedupe_key) for c in calls] == [
        (person.id, "pending", contact.dedupe_key + ":after-sms")]
    assert db.session.get(Resident, person.id).phone_unreachable_at is None


def test_a_dead_number_goes_to_the_doctors_worklist_with_the_reason(ctx, client, simulators):
    person, contact_id, headers = _texted(simulators, "13900000713", call=True, control=(
        "/_sim/undeliverable", {"code": "MOBILE_NOT_ON_SERVICE"}))
    assert sms_receipts.pull(contact_id) == "applied"
    assert _contact(contact_id).passed_to == "doctor"  # a call to a dead number is no use
    assert db.session.get(Resident, person.id).phone_unreachable_at is not None
    [item] = client.get("/api/v1/admin/followup/tasks", headers=headers).json["data"]["items"]
    assert "短信未送达（停机或空号）" in item["unreached_note"]


def test_an_overdue_text_that_fails_falls_back_to_the_mini_program(ctx, simulators):
    _, contact_id, _ = _texted(simulators, "13900000714", app=True, due=date(2026, 11, 20),
                               control=("/_sim/undeliverable", {"code": "MOBILE_IN_BLACK"}))
    assert _contact(contact_id).kind == "followup_overdue"  # order: ai_call, sms, miniprogram
    assert sms_receipts.pull(contact_id) == "applied"
    [message] = db.session.execute(select(PatientMessage)).scalars().all()
    assert (message.kind, message.status, message.dedupe_key.endswith(":after-sms")) == (
        "followup_overdue", "pending", True)
    assert _contact(contact_id).passed_to == "miniprogram"


def test_no_receipt_within_72_hours_counts_as_undelivered(ctx, simulators):
    _, contact_id, _ = _texted(simulators, "13900000715", control=("/_sim/hold-receipts", {}))
    assert sms_receipts.pull(contact_id) == "waiting"
    assert _contact(contact_id).delivery is None
    with time_machine.travel(utcnow() + timedelta(hours=73)):
        assert sms_receipts.pull(contact_id) == "applied"
    contact = _contact(contact_id)
    assert (contact.delivery, contact.receipt_code, contact.passed_to) == (
        "undelivered", "NO_RECEIPT_72H", "doctor")
    task = db.session.get(FollowUpTask, contact.task_id)
    assert task.unreached_note.startswith("提醒短信未送达（72小时无回执）")


@pytest.fixture()
def served(app, monkeypatch):
    """The app over loopback HTTP, so the simulator can push to it as Alibaba Cloud would."""
    monkeypatch.setitem(app.config, "ALIYUN_SMS_REPORT_TOKEN", TOKEN)
    with SimulatorServer(app) as server:
        yield server


def test_the_push_to_our_token_url_is_applied_and_a_wrong_token_is_refused(
        ctx, simulators, served):
    _, contact_id, _ = _texted(simulators, "13900000716", control=(
        "/_sim/undeliverable", {"code": "MOBILE_IN_BLACK"}))
    sms = simulators.url("aliyun_sms")
    report = f"{served.url}/api/v1/notify/sms/aliyun/report"
    requests.post(sms + "/_sim/report-url", json={"url": report + "?token=guess"}, timeout=5)
    refused = requests.post(sms + "/_sim/push-reports", timeout=30).json()
    assert refused["status"] == 403 and refused["pushed"] == 0
    assert _contact(contact_id).delivery is None
    requests.post(sms + "/_sim/report-url", json={"url": f"{report}?token={TOKEN}"}, timeout=5)
    pushed = requests.post(sms + "/_sim/push-reports", timeout=30).json()
    assert pushed["status"] == 200 and pushed["pushed"] >= 1
    contact = _contact(contact_id)
    assert (contact.delivery, contact.receipt_code, contact.passed_to) == (
        "undelivered", "MOBILE_IN_BLACK", "doctor")
    assert sms_receipts.pull(contact_id) == "skipped"  # the pull does not apply it twice


def test_a_receipt_naming_no_text_of_ours_changes_nothing(ctx, client, simulators, served):
    _, contact_id, _ = _texted(simulators, "13900000717")
    contact = _contact(contact_id)
    url = f"/api/v1/notify/sms/aliyun/report?token={TOKEN}"
    forged = [{"phone_number": "13900000717", "send_time": "2026-12-05 09:00:00",
               "report_time": "2026-12-05 09:00:05", "success": False, "err_code": "X",
               "err_msg": "", "sms_size": "1", "biz_id": contact.vendor_ref,
               "out_id": "someone-else"},
              {"phone_number": "13900000799", "send_time": "2026-12-05 09:00:00",
               "report_time": "2026-12-05 09:00:05", "success": False, "err_code": "X",
               "err_msg": "", "sms_size": "1", "biz_id": contact.vendor_ref,
               "out_id": str(contact.external_id)}]
    answer = client.post(url, json=forged)
    assert answer.status_code == 200 and answer.json["applied"] == 0
    assert _contact(contact_id).delivery is None
    assert client.post(url, json={"not": "an array"}).status_code == 400
