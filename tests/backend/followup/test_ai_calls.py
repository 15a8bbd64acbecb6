"""AI follow-up calls in the backend, against the FreeSWITCH simulator, PostgreSQL and Redis:
who is called and when, what a call leaves behind (a 电话随访 record waiting for the doctor, the
next try, a red flag on the doctor's worklist), encryption at rest, audit and retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select, text

from backend.extensions import db
from backend.models import (
    AdminAlert,
    AuditEntry,
    CallAttempt,
    FollowUpCall,
    FollowUpContact,
    FollowUpRecord,
    FollowUpTask,
    ProgrammeEnrolment,
)
from backend.services.followup import call_storage, calls, contacts
from backend.services.followup.due_scan import scan
from backend.services.followup.records import confirm_pending
from backend.services.followup.reminders import queue_reminders
from backend.timeutil import local_today
from simulators.freeswitch import FreeSwitchSimulator, ScriptedCallee
from tests import factories as f
from tests import followup_support as fs
from tests.call_support import engines, say
from tests.conftest import make_app

pytestmark = pytest.mark.slow
SHANGHAI = ZoneInfo("Asia/Shanghai")


def morning(days: int = 0, hour: int = 10) -> datetime:
    """A time inside the dialling hours, `days` from today (China time)."""
    day = local_today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(scope="module")
def freeswitch():
    simulator = FreeSwitchSimulator(password="esl-test", speed=4)
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def calling_app(app, simulators, freeswitch, tmp_path_factory):
    engines()  # load the voice once, before any call
    return make_app(simulators, TELEPHONY_PROVIDER="freeswitch",
                    FREESWITCH_ESL_PORT=freeswitch.port, FREESWITCH_ESL_PASSWORD="esl-test",
                    CALL_MEDIA_DIR=str(tmp_path_factory.mktemp("media")),
                    CALL_RECORDINGS_DIR=str(tmp_path_factory.mktemp("recordings")),
                    CALL_TRANSFER_TO="", JOBS_INLINE=True)


@pytest.fixture()
def cctx(app, calling_app):
    with calling_app.app_context():
        yield calling_app
        db.session.remove()


def resident_on_ai_calls(phone: str, *, channel: str = "ai_call", programme="hypertension"):
    org = f.organization()
    doctor = f.staff(org)
    doctor.display_name = "李建华"
    person = fs.resident(org, name="张建国", birth=date(1958, 4, 2), phone=phone)
    person.followup_channel = channel
    db.session.commit()
    enrolment = fs.enrol(person, doctor, programme=programme,
                         next_due_on=local_today() + timedelta(days=2))
    scan(local_today())
    return person, enrolment


def dispatch_at(moment: datetime) -> dict[str, int]:
    """The dispatcher and the calls it queues (run inline) at `moment`, the clock running."""
    with time_machine.travel(moment, tick=True):
        return calls.dispatch()


def only_call(person) -> FollowUpCall:
    resident_id = person.id
    db.session.remove()
    return db.session.execute(select(FollowUpCall).where(
        FollowUpCall.resident_id == resident_id)).scalar_one()


def test_a_completed_call_leaves_a_phone_record_for_the_doctor_to_confirm(cctx, freeswitch):
    freeswitch.callees["13911110001"] = ScriptedCallee(["answer"], [
        say("是的，我就是"), say("我是一九五八年出生的"), say("高压一百四十五，低压八十八"),
        say("每天都按时吃药"), say("都没有"), say("都没有")])
    person, enrolment = resident_on_ai_calls("13911110001")
    person_external, enrolment_id = str(person.external_id), enrolment.id
    now = morning()
    assert dispatch_at(now) == {"opened": 1, "recovered": 0, "queued": 1}
    call = only_call(person)
    assert call.status == "done" and call.attempts == 1, call.attempt_rows[0].answers
    assert call.record_id is not None, (call.attempt_rows[0].answers,
                                        call.attempt_rows[0].transcript)
    record = db.session.get(FollowUpRecord, call.record_id)
    assert (record.method, record.review_status) == ("phone", "pending")
    assert record.readings == {"systolic": 145, "diastolic": 88}, call.attempt_rows[0].transcript
    assert record.adherence == "regular" and "AI电话随访" in record.note
    outcome = record.outcomes[0]
    assert outcome.class_name == "控制满意"  # 68 years old: the target is below 150/90
    task = db.session.execute(select(FollowUpTask)).scalar_one()
    assert (task.status, task.due_rule) == ("open", "ai_call_review")
    due_before = db.session.get(ProgrammeEnrolment, enrolment_id).next_due_on
    assert due_before == local_today() + timedelta(days=2)  # nothing moves before the doctor

    attempt = call.attempt_rows[0]
    assert attempt.disposition == "answered" and attempt.outcome == "completed"
    stored = db.session.execute(text("SELECT transcript FROM call_attempt")).scalar_one()
    assert stored.startswith("sm4gcm:") and "张建国" not in stored
    assert "张建国" in attempt.transcript  # decrypted by the column type
    recording = Path(cctx.config["CALL_RECORDINGS_DIR"]) / attempt.recording_file
    assert recording.read_text().startswith("sm4gcm:")
    assert call_storage.read_recording(attempt)[:4] == b"RIFF"
    assert attempt.purge_after - attempt.ended_at == timedelta(days=180)
    entry = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "followup.call.attempt")).scalar_one()
    assert entry.subject_id == person_external and entry.detail["outcome"] == "completed"

    confirm_pending(record)
    db.session.commit()
    assert db.session.get(FollowUpTask, task.id).status == "done"
    assert db.session.get(ProgrammeEnrolment, enrolment_id).next_due_on == \
        outcome.next_followup_on


def test_no_answer_waits_for_a_later_window_then_a_red_flag_reaches_the_doctor(cctx, freeswitch):
    freeswitch.callees["13911110002"] = ScriptedCallee(["no_answer", "answer"], [
        say("是我"), say("一九五八年"), say("高压一百九十，低压一百一十")])
    person, enrolment = resident_on_ai_calls("13911110002")
    enrolment_id = enrolment.id
    first = morning(hour=9)
    dispatch_at(first)
    call = only_call(person)
    assert (call.status, call.last_result) == ("scheduled", "no_answer")
    # three hours later is 12:00, over the midday rest: the next window opens at 14:30
    assert call.next_attempt_at == first + timedelta(hours=5, minutes=30)
    assert dispatch_at(first + timedelta(minutes=30))["queued"] == 0  # not yet
    dispatch_at(call.next_attempt_at)
    call = only_call(person)
    assert call.status == "done" and call.attempts == 2
    record = db.session.get(FollowUpRecord, call.record_id)
    assert record.urgent_referral and record.review_status == "pending"
    alert = db.session.execute(select(AdminAlert)).scalar_one()
    assert alert.kind == "followup_call_red_flag" and "120" in alert.message
    enrolment = db.session.get(ProgrammeEnrolment, enrolment_id)
    assert (enrolment.next_due_on, enrolment.next_due_rule) == (local_today(), "ai_call_red_flag")
    assert db.session.execute(select(FollowUpTask.due_rule).where(
        FollowUpTask.status == "open")).scalars().all() == ["ai_call_red_flag"]


def test_only_residents_on_the_ai_channel_are_called_and_only_in_the_dialling_hours(cctx):
    resident_on_ai_calls("13911110003", channel="doctor")
    on_calls, _ = resident_on_ai_calls("13911110005")
    on_calls_id = on_calls.id
    assert dispatch_at(morning(hour=22)) == {"opened": 1, "recovered": 0, "queued": 0}
    assert db.session.execute(select(FollowUpCall.resident_id)).scalars().all() == [on_calls_id]
    assert only_call(on_calls).attempts == 0


def test_retention_purges_transcripts_and_recordings_but_keeps_the_record(cctx, freeswitch):
    freeswitch.callees["13911110004"] = ScriptedCallee(["answer"], [say("你打错了")])
    person, _ = resident_on_ai_calls("13911110004")
    dispatch_at(morning())
    call = only_call(person)
    assert call.status == "to_doctor"
    assert db.session.execute(select(FollowUpTask.due_rule)).scalar_one() == \
        "ai_call_wrong_person"
    attempt = call.attempt_rows[0]
    path = Path(cctx.config["CALL_RECORDINGS_DIR"]) / attempt.recording_file
    assert call_storage.purge_expired(attempt.purge_after - timedelta(seconds=1)) == 0
    assert call_storage.purge_expired(attempt.purge_after) == 1
    db.session.remove()
    attempt = db.session.get(CallAttempt, attempt.id)
    assert attempt.transcript is None and attempt.recording_file is None and not path.exists()
    assert attempt.outcome == "wrong_person"
    assert call_storage.purge_expired(attempt.purge_after + timedelta(days=1)) == 0


def test_after_a_red_flag_the_caller_leaves_the_resident_to_the_doctor(cctx, freeswitch):
    freeswitch.callees["13911110006"] = ScriptedCallee(["answer"], [
        say("我老伴说话不清，嘴也歪了")])
    person, _ = resident_on_ai_calls("13911110006")
    dispatch_at(morning())
    assert only_call(person).last_result == "red_flag"
    assert dispatch_at(morning(hour=11)) == {"opened": 0, "recovered": 0, "queued": 0}


def test_the_doctor_reads_the_call_and_confirms_its_record_over_the_api(cctx, freeswitch):
    freeswitch.callees["13911110007"] = ScriptedCallee(["answer"], [
        say("是的，我就是"), say("我是一九五八年出生的"), say("高压一百四十五，低压八十八"),
        say("每天都按时吃药"), say("都没有"), say("都没有")])
    person, _ = resident_on_ai_calls("13911110007")
    resident_external = str(person.external_id)
    doctor = db.session.get(ProgrammeEnrolment, person.enrolments[0].id).doctor
    headers = f.bearer(f.staff_token(doctor))
    stranger = f.bearer(f.staff_token(f.staff(f.organization())))
    dispatch_at(morning())
    client = cctx.test_client()
    calls_seen = client.get(f"/api/v1/admin/followup/residents/{resident_external}/calls",
                            headers=headers)
    assert calls_seen.status_code == 200
    attempt = calls_seen.get_json()["data"][0]
    assert attempt["outcome"] == "completed" and attempt["transcript"][0]["speaker"] == "caller"
    assert client.get(f"/api/v1/admin/followup/residents/{resident_external}/calls",
                      headers=stranger).status_code == 404
    records = client.get(f"/api/v1/admin/followup/residents/{resident_external}/records",
                         headers=headers).get_json()["data"]
    assert [(r["method"], r["review_status"]) for r in records] == [("phone", "pending")]
    path = f"/api/v1/admin/followup/records/{records[0]['id']}/confirm"
    assert client.post(path, headers=stranger).status_code == 404
    confirmed = client.post(path, headers=headers)
    assert confirmed.status_code == 200 and confirmed.get_json()["data"]["review_status"] is None
    assert client.post(path, headers=headers).status_code == 409
    assert db.session.execute(select(AuditEntry.action).where(AuditEntry.action.in_(
        ["followup.call.read", "followup.record.confirm"]))).scalars().all() == [
        "followup.call.read", "followup.record.confirm"]


def test_a_reminder_by_ai_call_is_placed_by_the_caller(cctx, freeswitch):
    """A resident followed up by the doctor who agreed to calls: the reminder's channel 'AI call'
    opens a call through the call schedule (once, however often the reminder is sent), and the
    dispatcher rings in the dialling hours like any AI call."""
    freeswitch.callees["13911110099"] = ScriptedCallee(["answer"], [
        say("是的，我就是"), say("我是一九五八年出生的"), say("高压一百四十五，低压八十八"),
        say("每天都按时吃药"), say("都没有"), say("都没有")])
    person, _ = resident_on_ai_calls("13911110099", channel="doctor")
    person.call_consented_at = datetime.now(UTC)
    db.session.commit()
    assert contacts.call_placer() is not None  # telephony configured: the channel is offered
    assert queue_reminders(local_today())["followup_due"]["ai_call"] == 1
    [contact_id] = contacts.pending_ids("ai_call")
    assert contacts.send(contact_id) == "sent"
    assert contacts.send(contact_id) == "not-pending"
    call = only_call(person)
    contact = db.session.get(FollowUpContact, contact_id)
    assert contact.vendor_ref == str(call.external_id)
    assert (call.status, call.due_on) == ("scheduled", local_today() + timedelta(days=2))
    assert dispatch_at(morning(days=1)) == {"opened": 0, "recovered": 0, "queued": 1}
    call = only_call(person)
    assert call.status == "done" and call.record_id is not None, (
        call.attempt_rows[0].answers, call.attempt_rows[0].transcript)
    assert db.session.get(FollowUpRecord, call.record_id).review_status == "pending"
