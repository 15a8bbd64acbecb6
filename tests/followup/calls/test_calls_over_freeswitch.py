"""The whole call engine against the FreeSWITCH simulator: ESL over TCP, the resident's voice
streamed to us over mod_audio_stream's WebSocket, our prompts played from WAV files, scripted
callees speaking audio made by the offline synthesizer and heard by the offline recognizer.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from followup.calls.dialogue import CallDialogue
from followup.calls.outcome import Callee, CallStatus
from followup.calls.policy import Disposition, default_policy
from followup.calls.runner import run_call
from followup.calls.telephony.base import CallRequest
from followup.calls.telephony.freeswitch import FreeSwitchGateway
from simulators.freeswitch import FreeSwitchSimulator, ScriptedCallee
from tests.call_support import engines, say

pytestmark = pytest.mark.slow
TODAY = dt.date(2026, 12, 7)
RESIDENT = Callee(name="张建国", birth_year=1958, age=68, programmes=frozenset({"hypertension"}),
                  centre="东城社区卫生服务中心", doctor="李医生")


@pytest.fixture(scope="module")
def freeswitch():
    simulator = FreeSwitchSimulator(password="test-esl", speed=4)
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def gateway(freeswitch, tmp_path_factory):
    gateway = FreeSwitchGateway(host="127.0.0.1", port=freeswitch.port, password="test-esl",
                                dial_string="sofia/gateway/trunk/{number}",
                                media_dir=tmp_path_factory.mktemp("call-media"))
    yield gateway
    gateway.close()


class BusyMachineRecognizer:
    """The offline recognizer on a machine far busier than this one: every transcription takes
    a second longer, while the simulator keeps the resident's line streaming (four seconds of
    audio at its speed) — the backlog a loaded CI runner builds up."""

    def __init__(self, recognizer, extra_s: float = 1.0) -> None:
        self.recognizer, self.extra_s = recognizer, extra_s

    def transcribe(self, pcm: bytes, sample_rate: int = 16000):
        time.sleep(self.extra_s)
        return self.recognizer.transcribe(pcm, sample_rate)


def call(gateway, number: str, *, transfer_to: str | None = None, attempt: int = 1,
         slow: bool = False):
    _, recognizer, voice = engines()
    if slow:
        recognizer = BusyMachineRecognizer(recognizer)
    dialogue = CallDialogue(RESIDENT, transfer_available=transfer_to is not None, today=TODAY)
    report = run_call(gateway, CallRequest(f"{number}-{attempt}", number, "057100000000"),
                      dialogue, voice=voice, recognizer=recognizer, transfer_to=transfer_to)
    return report, dialogue


def test_a_resident_answers_every_question_speaking_over_the_caller_once(freeswitch, gateway):
    freeswitch.callees["13900000001"] = ScriptedCallee(["answer"], [
        say("是的，我就是"), say("我是一九五八年出生的"),
        say("高压一百四十五，低压八十八", barge_in_ms=1200),
        say("每天都按时吃药"), say("都没有"), say("都没有")])
    report, _ = call(gateway, "13900000001")
    assert report.disposition is Disposition.ANSWERED
    outcome = report.outcome
    assert outcome.status is CallStatus.COMPLETED and outcome.identity_confirmed
    assert outcome.answers.readings == {"systolic": 145, "diastolic": 88}
    assert outcome.answers.adherence == "regular"
    assert report.barge_ins == 1
    log = freeswitch.calls_to("13900000001")[0]
    interrupted = [p for p in log.prompts if p.interrupted]
    assert len(interrupted) == 1
    stopped_after = interrupted[0].played_ms - interrupted[0].callee_spoke_at_ms
    assert 0 <= stopped_after <= 500, "playback must stop as soon as the resident speaks"
    assert interrupted[0].played_ms < interrupted[0].duration_ms
    assert log.hung_up_by == "caller"
    assert report.recording[:4] == b"RIFF"


def test_a_slow_recognizer_hears_the_same_answers(freeswitch, gateway):
    """The resident's utterances are cut by counting audio frames, never by the clock, and no
    frame is dropped while we are behind: a slow machine gets the same call."""
    freeswitch.callees["13900000011"] = ScriptedCallee(["answer"], [
        say("是的，我就是"), say("我是一九五八年出生的"),
        say("高压一百四十五，低压八十八", barge_in_ms=1200),
        say("每天都按时吃药"), say("都没有"), say("都没有")])
    report, _ = call(gateway, "13900000011", slow=True)
    outcome = report.outcome
    assert outcome.status is CallStatus.COMPLETED and outcome.identity_confirmed
    assert outcome.answers.readings == {"systolic": 145, "diastolic": 88}
    assert outcome.answers.adherence == "regular"
    resident = [line for line in outcome.transcript if line.speaker != "caller"]
    assert len(resident) == 6 and report.barge_ins == 1


def test_words_said_as_the_resident_hangs_up_still_reach_the_doctor(freeswitch, gateway):
    freeswitch.callees["13900000012"] = ScriptedCallee(["answer"], [
        say("是我"), say("一九五八年"), say("我胸口疼得厉害，出了一身汗", hang_up_after=True)])
    report, _ = call(gateway, "13900000012")
    assert freeswitch.calls_to("13900000012")[0].hung_up_by == "callee"
    outcome = report.outcome
    assert outcome.status is CallStatus.RED_FLAG and outcome.red_flags
    assert report.disposition is Disposition.ANSWERED


def test_a_resident_who_is_driving_is_called_back_when_they_asked(freeswitch, gateway):
    freeswitch.callees["13900000002"] = ScriptedCallee(["answer"], [
        say("我现在在开车，明天下午再打吧")])
    report, _ = call(gateway, "13900000002")
    assert report.outcome.status is CallStatus.RESCHEDULED
    when = report.outcome.reschedule
    assert (when.day_offset, when.period) == (1, "afternoon")
    moment = dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.UTC)
    again = default_policy().reschedule_at(when.day_offset, when.period, moment)
    assert default_policy().allows(again) and again.date() == dt.date(2026, 12, 8)


def test_the_wrong_person_hears_nothing_about_the_residents_health(freeswitch, gateway):
    freeswitch.callees["13900000003"] = ScriptedCallee(["answer"], [say("你打错了")])
    report, dialogue = call(gateway, "13900000003")
    assert report.outcome.status is CallStatus.WRONG_PERSON
    spoken = [line.text for line in dialogue.outcome().transcript if line.speaker == "caller"]
    assert len(freeswitch.calls_to("13900000003")[0].prompts) == len(spoken) == 2
    assert not any(word in "".join(spoken) for word in ("血压", "血糖", "吃药"))


def test_no_answer_is_tried_again_later_and_then_reaches_the_resident(freeswitch, gateway):
    freeswitch.callees["13900000004"] = ScriptedCallee(["no_answer", "answer"], [
        say("不需要，以后别打了")])
    first, _ = call(gateway, "13900000004", attempt=1)
    assert first.disposition is Disposition.NO_ANSWER and first.outcome is None
    ended = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    retry = default_policy().after_attempt(first.disposition, 1, ended)
    assert retry - ended >= dt.timedelta(hours=3) and default_policy().allows(retry)
    second, _ = call(gateway, "13900000004", attempt=2)
    assert second.disposition is Disposition.ANSWERED
    assert second.outcome.status is CallStatus.REFUSED
    assert [c.attempt for c in freeswitch.calls_to("13900000004")] == ["no_answer", "answer"]


def test_a_crisis_reading_gets_the_120_advice_and_a_doctor_on_the_line(freeswitch, gateway):
    freeswitch.callees["13900000005"] = ScriptedCallee(["answer"], [
        say("是我"), say("一九五八年"), say("高压一百九十，低压一百一十")])
    report, _ = call(gateway, "13900000005", transfer_to="8001")
    outcome = report.outcome
    assert outcome.status is CallStatus.RED_FLAG
    assert outcome.red_flags[0].rule == "bp_crisis"
    log = freeswitch.calls_to("13900000005")[0]
    assert log.transferred_to == "8001"
    advice = log.prompts[-1]
    assert not advice.interrupted and advice.played_ms >= advice.duration_ms - 20


def test_a_busy_line_and_an_answering_machine(freeswitch, gateway):
    greeting = say("您拨打的用户暂时无法接听，请在提示音后留言").pcm
    freeswitch.callees["13900000006"] = ScriptedCallee(["busy", "voicemail"],
                                                       voicemail_greeting=greeting)
    busy, _ = call(gateway, "13900000006", attempt=1)
    assert busy.disposition is Disposition.BUSY and busy.cause == "USER_BUSY"
    machine, dialogue = call(gateway, "13900000006", attempt=2)
    assert machine.disposition is Disposition.VOICEMAIL and machine.outcome is None
    left = freeswitch.calls_to("13900000006")[1].prompts
    assert len(left) == 1 and "张建国" not in dialogue.voicemail_message()
