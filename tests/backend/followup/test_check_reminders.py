"""Between follow-ups, a resident who uses the mini-program is reminded of the HbA1c check when
the guideline's interval has passed (3 months above target, 6 at target) and of each dose at
the times of their own plan, once each, and only with a subscribe grant."""

from __future__ import annotations

from datetime import date, datetime

import requests
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpRecord, MessageSubscription, PatientMessage
from backend.services import messages
from backend.services.followup.check_reminders import queue_doses, queue_hba1c
from backend.timeutil import CLINIC_TZ
from tests import factories as f
from tests import followup_support as fs

TODAY = date(2026, 12, 5)
PLAN = {"medications": [{"name": "二甲双胍", "dose": "0.5g", "times": ["07:30", "19:30"]},
                        {"name": "氨氯地平", "dose": "5mg", "times": ["07:30"]}]}


def _diabetic(org, doctor, name, hba1c=None, measured_on=None, plan=None, grants=1):
    acct = f.account()
    profile = f.profile(acct, name=name)
    person = fs.resident(org, name=name)
    person.patient_id = profile.id
    for kind in ("followup", "medication"):
        db.session.add(MessageSubscription(account_id=acct.id, kind=kind, grants=grants,
                                           declined=False))
    db.session.commit()
    fs.enrol(person, doctor, programme="type2_diabetes", enrolled_on=date(2025, 1, 6),
             next_due_on=date(2027, 1, 6), plan=plan)
    if hba1c is not None:
        db.session.add(FollowUpRecord(
            resident_id=person.id, doctor_id=doctor.id, visited_on=measured_on, method="clinic",
            age=70, readings={}, tests={"hba1c": hba1c}, adherence="regular",
            next_followup_on=date(2027, 1, 6), next_followup_rule="routine_followup"))
        db.session.commit()
    return acct


def _queued(kind):
    db.session.remove()
    return sorted((m.account_id, m.data.get("due_on") or m.data.get("at"))
                  for m in db.session.execute(select(PatientMessage).where(
                      PatientMessage.kind == kind)).scalars())


def test_hba1c_is_due_three_months_after_a_high_one_and_six_after_one_at_target(ctx):
    org = f.organization()
    doctor = f.staff(org)
    high = _diabetic(org, doctor, "王建国", hba1c=8.1, measured_on=date(2026, 9, 1))
    _diabetic(org, doctor, "李秀英", hba1c=6.5, measured_on=date(2026, 9, 1))  # due in March
    never = _diabetic(org, doctor, "赵桂兰")
    assert queue_hba1c(TODAY) == 2
    assert queue_hba1c(TODAY) == 0
    assert _queued("hba1c_due") == [(high.id, "2026-12-01"), (never.id, "2025-01-06")]


def test_doses_are_reminded_at_the_plans_times_once_and_not_late(ctx, simulators):
    org = f.organization()
    doctor = f.staff(org)
    acct = _diabetic(org, doctor, "王建国", plan=PLAN)
    _diabetic(org, doctor, "没订阅", plan=PLAN, grants=0)
    at = datetime(2026, 12, 5, 7, 32, tzinfo=CLINIC_TZ)
    assert queue_doses(at) == 1
    assert queue_doses(at.replace(minute=35)) == 0  # the same dose is not reminded twice
    assert queue_doses(at.replace(hour=9)) == 0  # 07:30 is too long ago; 19:30 not yet
    db.session.remove()
    [message] = db.session.execute(select(PatientMessage)).scalars()
    assert message.account_id == acct.id
    assert message.data == {"at": "07:30", "medicines": ["二甲双胍 0.5g", "氨氯地平 5mg"]}
    f.wechat_code(simulators, db.session.get(type(acct), acct.id).wechat_openid)
    requests.post(simulators.url("wechat") + "/_sim/subscriptions", timeout=5, json={
        "openid": db.session.get(type(acct), acct.id).wechat_openid,
        "template_id": "tmpl-medication"})
    assert messages.send(message.id) == "sent"
    sent = requests.get(simulators.url("wechat") + "/_sim/messages", timeout=5, params={
        "openid": db.session.get(type(acct), acct.id).wechat_openid}).json()["messages"]
    assert sent[0]["template_id"] == "tmpl-medication"
    assert sent[0]["data"]["thing3"]["value"] == "二甲双胍 0.5g、氨氯地平 5mg"
