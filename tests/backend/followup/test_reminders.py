"""Follow-up reminders go through the outbox, one per resident and due date, before the date
and once overdue, and reach only residents who agreed to the follow-up template."""

from __future__ import annotations

from datetime import date

import requests
from sqlalchemy import select

from backend.extensions import db
from backend.models import MessageSubscription, PatientMessage
from backend.services import messages
from backend.services.followup.due_scan import scan
from backend.services.followup.reminders import queue_reminders
from tests import factories as f
from tests import followup_support as fs

TODAY = date(2026, 12, 5)


def _linked(org, doctor, name="王建国", due=date(2026, 12, 10), both=False):
    acct = f.account()
    profile = f.profile(acct, name=name)
    person = fs.resident(org, name=name)
    person.patient_id = profile.id
    db.session.commit()
    fs.enrol(person, doctor, next_due_on=due)
    if both:
        fs.enrol(person, doctor, programme="type2_diabetes", next_due_on=due)
    return acct


def _messages():
    db.session.remove()
    return sorted((m.kind, m.account_id, m.status) for m in
                  db.session.execute(select(PatientMessage)).scalars())


def test_one_reminder_per_resident_and_date_and_none_twice(ctx):
    org = f.organization()
    doctor = f.staff(org)
    due_soon = _linked(org, doctor, both=True)
    overdue = _linked(org, doctor, name="李秀英", due=date(2026, 11, 28))
    fs.enrol(fs.resident(org, name="没有小程序"), doctor, next_due_on=date(2026, 12, 6))
    scan(TODAY)
    assert queue_reminders(TODAY) == {"followup_due": 1, "followup_overdue": 1}
    assert queue_reminders(TODAY) == {"followup_due": 0, "followup_overdue": 0}
    assert _messages() == [("followup_due", due_soon.id, "pending"),
                           ("followup_overdue", overdue.id, "pending")]


def test_reminders_respect_consent(ctx, simulators):
    org = f.organization()
    doctor = f.staff(org)
    agreed = _linked(org, doctor)
    silent = _linked(org, doctor, name="李秀英")
    f.wechat_code(simulators, agreed.wechat_openid)
    requests.post(simulators.url("wechat") + "/_sim/subscriptions", timeout=5,
                  json={"openid": agreed.wechat_openid, "template_id": "tmpl-followup"})
    db.session.add(MessageSubscription(account_id=agreed.id, kind="followup", grants=1,
                                       declined=False))
    db.session.commit()
    scan(TODAY)
    queue_reminders(TODAY)
    for message_id in messages.pending_ids():  # what the outbox job's worker does
        messages.send(message_id)
    statuses = {account: status for _, account, status in _messages()}
    assert statuses == {agreed.id: "sent", silent.id: "skipped"}
    sent = requests.get(simulators.url("wechat") + "/_sim/messages",
                        params={"openid": agreed.wechat_openid}, timeout=5).json()["messages"]
    assert len(sent) == 1 and sent[0]["template_id"] == "tmpl-followup"
    assert sent[0]["data"]["time3"]["value"] == "2026-12-10"
    assert sent[0]["data"]["thing4"]["value"] == "请按约到社区随访，带上药盒。"
    assert sent[0]["page"] == "followup/pages/vitals/index"
