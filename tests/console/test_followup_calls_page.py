"""The console's AI follow-up calls page: a family doctor sees their residents' calls (state,
attempts, the next try), reads what was said on the phone (audited), and confirms the record a
call made, with CSRF; a hospital admin reads but does not confirm; nobody else's residents show.

Calls are stored by the same code a finished call goes through (`call_results.record_report`),
with the text dialogue playing the resident; the telephony itself is tested in
tests/backend/followup/test_ai_calls.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    AuditEntry,
    FollowUpCall,
    FollowUpRecord,
    ProgrammeEnrolment,
    Resident,
)
from backend.services.followup import call_results, call_schedule
from backend.services.followup.due_scan import scan
from backend.timeutil import local_today
from followup.calls.dialogue import CallDialogue
from followup.calls.outcome import Callee
from followup.calls.policy import Disposition, default_policy
from followup.calls.runner import CallReport
from tests import factories as f
from tests import followup_support as fs
from tests.console.console_support import csrf_token, login

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, inside the dialling hours
ANSWERS = ("是我", "一九五八年", "高压一百四十五低压八十八", "每天都按时吃", "没有", "都没有")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    org = f.organization()
    doctor = f.staff(org, username="doctor.sun")
    admin = f.staff(org, role="hospital_admin", username="admin.sun")
    stranger = f.staff(f.organization(), username="doctor.far")
    talked = _on_calls(org, doctor, "张建国", "13933330001")
    unreached = _on_calls(org, doctor, "李秀英", "13933330002")
    scan(local_today())
    assert call_schedule.open_calls(NOW) == 2
    _attempt(talked, CallReport(Disposition.ANSWERED, _talk(*ANSWERS), b"RIFF-recording", 1,
                                "ANSWER"))
    _attempt(unreached, CallReport(Disposition.NO_ANSWER, None, None, 0, "NO_ANSWER"))
    return {"doctor": doctor, "admin": admin, "stranger": stranger,
            "talked": talked, "unreached": unreached}


def _on_calls(org, doctor, name: str, phone: str) -> int:
    person = fs.resident(org, name=name, birth=date(1958, 4, 2), phone=phone)
    person.followup_channel = "ai_call"
    db.session.commit()
    fs.enrol(person, doctor, next_due_on=local_today() + timedelta(days=2))
    return person.id


def _talk(*answers: str):
    """The resident's side of a call, as the recognizer would have heard it."""
    dialogue = CallDialogue(Callee(name="张建国", birth_year=1958, age=68,
                                   programmes=frozenset({"hypertension"}),
                                   centre="东城社区卫生服务中心", doctor="孙医生"),
                            today=local_today())
    dialogue.start()
    for said in answers:
        dialogue.hear(said)
    return dialogue.outcome()


def _attempt(resident_id: int, report: CallReport) -> None:
    call = db.session.execute(select(FollowUpCall).where(
        FollowUpCall.resident_id == resident_id)).scalar_one()
    attempt = call_schedule.claim(call.id, NOW, "freeswitch")
    call_results.record_report(attempt.id, report, default_policy(), NOW)


def _call(resident_id: int) -> FollowUpCall:
    return db.session.execute(select(FollowUpCall).where(
        FollowUpCall.resident_id == resident_id)).scalar_one()


def _audited(action: str) -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(
        AuditEntry.action == action)).scalars())


def test_the_doctor_lists_the_calls_and_filters_those_waiting_for_confirmation(client, world):
    login(client, "doctor.sun")
    listing = client.get("/console/followup/calls")
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "AI电话随访" in page and "共 2 通电话" in page
    talked, unreached = _call(world["talked"]), _call(world["unreached"])
    assert f"call-{talked.external_id}" in page and "问答完成" in page and "待医生确认" in page
    assert "无人接听" in page and "等待拨打" in page
    assert unreached.next_attempt_at.isoformat()[:4] in page  # when it rings again
    waiting = client.get("/console/followup/calls?show=review").get_data(as_text=True)
    assert "共 1 通电话" in waiting and "张建国" in waiting and "李秀英" not in waiting
    assert client.get("/console/followup/calls?show=nonsense").status_code == 422
    [entry] = [e for e in _audited("followup.call.list") if e.detail["show"] == "review"]
    assert entry.detail["count"] == 1
    worklist = client.get("/console/worklist").get_data(as_text=True)
    resident = db.session.get(Resident, world["talked"]).external_id
    assert f"/console/followup/calls?resident={resident}" in worklist  # the task to confirm
    one = client.get(f"/console/followup/calls?resident={resident}").get_data(as_text=True)
    assert "共 1 通电话" in one and "张建国" in one


def test_the_doctor_reads_the_talk_and_confirms_the_record(client, world):
    login(client, "doctor.sun")
    talked = _call(world["talked"])
    record = db.session.get(FollowUpRecord, talked.record_id)
    enrolment_id = record.outcomes[0].enrolment_id
    due_before = db.session.get(ProgrammeEnrolment, enrolment_id).next_due_on
    page = client.get(f"/console/followup/calls/{talked.external_id}").get_data(as_text=True)
    assert "居民：</strong>是我" in page and "高压一百四十五低压八十八" in page
    assert "血压 145/88 mmHg" in page and "规律服药" in page and "待医生确认" in page
    assert [e.detail["call"] for e in _audited("followup.call.read")] == [
        str(talked.external_id)]
    path = f"/console/followup/records/{record.external_id}/confirm"
    assert client.post(path, data={"call": str(talked.external_id)}).status_code == 400
    done = client.post(path, data={"csrf_token": csrf_token(page),
                                   "call": str(talked.external_id)}, follow_redirects=True)
    shown = done.get_data(as_text=True)
    assert done.status_code == 200 and "已确认张建国的电话随访记录" in shown
    assert "确认这条随访记录" not in shown
    db.session.remove()
    assert db.session.get(FollowUpRecord, record.id).review_status is None
    assert db.session.get(ProgrammeEnrolment, enrolment_id).next_due_on != due_before
    again = client.post(path, data={"csrf_token": csrf_token(page),
                                    "call": str(talked.external_id)}, follow_redirects=True)
    assert "不需要确认" in again.get_data(as_text=True)


def test_an_admin_reads_but_only_the_family_doctor_confirms(client, world):
    login(client, "admin.sun")
    talked = _call(world["talked"])
    page = client.get(f"/console/followup/calls/{talked.external_id}").get_data(as_text=True)
    assert "由居民的家庭医生确认" in page and "confirm-form" not in page
    record = db.session.get(FollowUpRecord, talked.record_id)
    refused = client.post(f"/console/followup/records/{record.external_id}/confirm",
                          data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 403
    assert db.session.get(FollowUpRecord, record.id).review_status == "pending"


def test_another_centres_doctor_sees_none_of_them(client, world):
    login(client, "doctor.far")
    page = client.get("/console/followup/calls").get_data(as_text=True)
    assert "共 0 通电话" in page and "张建国" not in page
    talked = _call(world["talked"])
    assert client.get(f"/console/followup/calls/{talked.external_id}").status_code == 404
    resident = db.session.get(Resident, world["talked"]).external_id
    assert client.get(f"/console/followup/calls?resident={resident}").status_code == 404
