"""Follow-up reminders go out once per resident and due date, before the date and once
overdue, by the channel the resident agreed to and can be reached on: the mini-program's
subscribe message, an SMS (Alibaba Cloud, signed, via its simulator) or the AI phone call's
hand-off; a resident nobody may contact is left to the doctor."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import requests
from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.followup import dispatch_pending_contacts
from backend.models import FollowUpContact, MessageSubscription, PatientMessage, Resident
from backend.services import messages
from backend.services.followup import contacts
from backend.services.followup.due_scan import scan
from backend.services.followup.reminders import queue_reminders
from backend.timeutil import utcnow
from followup.channels import Reach, choose_channel
from tests import factories as f
from tests import followup_support as fs
from tests.helpers_process import frontdoor

TODAY = date(2026, 12, 5)


def _linked(org, doctor, name="王建国", due=date(2026, 12, 10), both=False, grants=1,
            phone="13900000001"):
    acct = f.account()
    profile = f.profile(acct, name=name)
    person = fs.resident(org, name=name, phone=phone)
    person.patient_id = profile.id
    if grants:
        db.session.add(MessageSubscription(account_id=acct.id, kind="followup", grants=grants,
                                           declined=False))
    db.session.commit()
    fs.enrol(person, doctor, next_due_on=due)
    if both:
        fs.enrol(person, doctor, programme="type2_diabetes", next_due_on=due)
    return acct


def _phone_only(org, doctor, name, phone="13900000002", sms=True, call=False,
                due=date(2026, 12, 10)):
    person = fs.resident(org, name=name, phone=phone)
    person.sms_consented_at = utcnow() if sms else None
    person.call_consented_at = utcnow() if call else None
    db.session.commit()
    fs.enrol(person, doctor, next_due_on=due)
    return person


def _messages():
    db.session.remove()
    return sorted((m.kind, m.account_id, m.status) for m in
                  db.session.execute(select(PatientMessage)).scalars())


def _contacts():
    db.session.remove()
    return sorted((c.kind, c.resident_id, c.channel, c.status) for c in
                  db.session.execute(select(FollowUpContact)).scalars())


def _texts(simulators, phone):
    return [m["text"] for m in requests.get(simulators.url("aliyun_sms") + "/_sim/messages",
                                            params={"phone": phone}, timeout=5
                                            ).json()["messages"]]


def _send_pending(channel):
    for contact_id in contacts.pending_ids(channel):  # what the contact job's worker does
        contacts.send(contact_id)


def test_one_reminder_per_resident_and_date_and_none_twice(ctx):
    org = f.organization()
    doctor = f.staff(org)
    due_soon = _linked(org, doctor, both=True)
    overdue = _linked(org, doctor, name="李秀英", due=date(2026, 11, 28))
    fs.enrol(fs.resident(org, name="没有同意"), doctor, next_due_on=date(2026, 12, 6))
    scan(TODAY)
    first = queue_reminders(TODAY)
    assert first["followup_due"] == {"miniprogram": 1, "sms": 0, "ai_call": 0, "doctor": 1}
    assert first["followup_overdue"]["miniprogram"] == 1
    again = queue_reminders(TODAY)
    assert again["followup_due"] == {"miniprogram": 0, "sms": 0, "ai_call": 0, "doctor": 1}
    assert _messages() == [("followup_due", due_soon.id, "pending"),
                           ("followup_overdue", overdue.id, "pending")]
    assert _contacts() == []


def test_mini_program_reminders_respect_consent(ctx, simulators):
    org = f.organization()
    doctor = f.staff(org)
    agreed = _linked(org, doctor)
    _linked(org, doctor, name="李秀英", grants=0)
    f.wechat_code(simulators, agreed.wechat_openid)
    requests.post(simulators.url("wechat") + "/_sim/subscriptions", timeout=5,
                  json={"openid": agreed.wechat_openid, "template_id": "tmpl-followup"})
    scan(TODAY)
    queue_reminders(TODAY)
    for message_id in messages.pending_ids():  # what the outbox job's worker does
        messages.send(message_id)
    assert _messages() == [("followup_due", agreed.id, "sent")]
    sent = requests.get(simulators.url("wechat") + "/_sim/messages",
                        params={"openid": agreed.wechat_openid}, timeout=5).json()["messages"]
    assert len(sent) == 1 and sent[0]["template_id"] == "tmpl-followup"
    assert sent[0]["data"]["time3"]["value"] == "2026-12-10"
    assert sent[0]["data"]["thing4"]["value"] == "请按约到社区随访，带上药盒。"
    assert sent[0]["page"] == "followup/pages/vitals/index"


def test_a_resident_without_the_app_who_agreed_to_texts_gets_an_sms(ctx, simulators):
    org = f.organization()
    doctor = f.staff(org)
    texted = _phone_only(org, doctor, "赵桂兰", phone="13900000021")
    _phone_only(org, doctor, "钱七", phone="13900000022", sms=False)  # no consent: no text
    scan(TODAY)
    assert queue_reminders(TODAY)["followup_due"]["sms"] == 1
    assert dispatch_pending_contacts() == 1
    sms_config = {key: str(value) for key, value in simulators.config.items()
                  if key.startswith("ALIYUN_SMS_")}
    worker = frontdoor("worker", "--burst", "--queue", "default", **sms_config)
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    assert _contacts() == [("followup_due", texted.id, "sms", "sent")]
    assert _texts(simulators, "13900000021") == [
        f"【社区卫生服务中心】赵桂兰您好，您在{org.name}的慢病随访约在12月10日，"
        "请按时来，带上药盒。"]
    assert _texts(simulators, "13900000022") == []


def test_a_used_up_subscribe_grant_does_not_make_a_second_reminder_by_sms(ctx, simulators):
    org = f.organization()
    doctor = f.staff(org)
    acct = _linked(org, doctor, phone="13900000031")
    person = db.session.execute(select(Resident)).scalar_one()
    person.sms_consented_at = utcnow()
    db.session.commit()
    scan(TODAY)
    queue_reminders(TODAY)
    db.session.execute(select(MessageSubscription)).scalar_one().grants = 0  # sent
    db.session.commit()
    assert queue_reminders(TODAY)["followup_due"]["sms"] == 0
    assert _messages() == [("followup_due", acct.id, "pending")] and _contacts() == []


def test_an_out_of_service_number_is_not_texted_again(ctx, simulators):
    org = f.organization()
    doctor = f.staff(org)
    person = _phone_only(org, doctor, "孙八", phone="13900000041", due=date(2026, 11, 30))
    requests.post(simulators.url("aliyun_sms") + "/_sim/unreachable",
                  json={"phone": "13900000041"}, timeout=5)
    scan(date(2026, 11, 28))
    queue_reminders(date(2026, 11, 28))
    _send_pending("sms")
    assert _contacts() == [("followup_due", person.id, "sms", "failed")]
    assert db.session.get(Resident, person.id).phone_unreachable_at is not None
    overdue = queue_reminders(TODAY)["followup_overdue"]
    assert overdue == {"ai_call": 0, "sms": 0, "miniprogram": 0, "doctor": 1}


class RecordingCallPlacer:
    """Stands where issue 14's call provider plugs in: records what it is handed."""

    def __init__(self) -> None:
        self.requests = []

    def place(self, request):
        self.requests.append(request)
        return f"call-{len(self.requests)}"


def test_the_ai_call_is_offered_only_once_a_call_placer_is_registered(ctx, simulators):
    org = f.organization()
    doctor = f.staff(org)
    person = _phone_only(org, doctor, "周九", phone="13900000051", sms=False, call=True,
                         due=date(2026, 11, 20))
    scan(TODAY)
    assert queue_reminders(TODAY)["followup_overdue"]["doctor"] == 1  # no calls yet
    placer = RecordingCallPlacer()
    contacts.register_call_placer(current_app, placer)
    try:
        assert queue_reminders(TODAY)["followup_overdue"]["ai_call"] == 1
        _send_pending("ai_call")
    finally:
        current_app.extensions.pop(contacts.CALL_PLACER)
    assert _contacts() == [("followup_overdue", person.id, "ai_call", "sent")]
    [request] = placer.requests
    assert (request.resident_name, request.phone, request.due_on, request.kind) == (
        "周九", "13900000051", date(2026, 11, 20), "followup_overdue")


FACTS = list(itertools.product([False, True], repeat=4))


@pytest.mark.parametrize("kind", ["followup_due", "followup_overdue"])
def test_the_queue_chooses_as_the_reference_function_does(ctx, simulators, kind):
    """Every combination of app consent, phone, SMS and call consent, in SQL and in Python."""
    org = f.organization()
    doctor = f.staff(org)
    due = date(2026, 12, 10) if kind == "followup_due" else date(2026, 11, 25)
    people = {}
    for index, (app, phone, sms, call) in enumerate(FACTS):
        name = f"居民{index}"
        if app:
            _linked(org, doctor, name=name, due=due, phone=f"139000011{index:02d}")
            person = db.session.execute(select(Resident).where(Resident.name == name)
                                        ).scalar_one()
        else:
            person = _phone_only(org, doctor, name, phone=f"139000011{index:02d}", due=due)
        person.sms_consented_at = utcnow() if sms else None
        person.call_consented_at = utcnow() if call else None
        person.phone_unreachable_at = None if phone else utcnow()
        db.session.commit()
        people[person.id] = Reach(app, phone, sms, call)
    scan(TODAY)
    placer = RecordingCallPlacer()
    contacts.register_call_placer(current_app, placer)
    try:
        available = contacts.available_channels(kind)
        queue_reminders(TODAY)
    finally:
        current_app.extensions.pop(contacts.CALL_PLACER)
    db.session.remove()
    chosen = {c.resident_id: c.channel for c in db.session.execute(
        select(FollowUpContact).where(FollowUpContact.kind == kind)).scalars()}
    accounts = {r.patient.account_id: r.id for r in db.session.execute(
        select(Resident)).scalars() if r.patient}
    by_app = {accounts[m.account_id] for m in db.session.execute(
        select(PatientMessage).where(PatientMessage.kind == kind)).scalars()}
    for resident_id in by_app:
        chosen[resident_id] = "miniprogram"
    expected = {rid: choose_channel(kind, reach, available).channel
                for rid, reach in people.items()}
    assert chosen == {rid: channel for rid, channel in expected.items() if channel}
