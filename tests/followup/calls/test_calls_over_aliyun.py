"""The call engine over Aliyun 智能外呼, against the VMS simulator over real HTTP: SmartCall is
signed and checked, the callee's words come back through the 智能外呼回调 and the dialogue's
actions go out in the answers."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, jsonify, request

from followup.calls.dialogue import CallDialogue
from followup.calls.outcome import Callee, CallStatus
from followup.calls.policy import Disposition
from followup.calls.runner import run_call
from followup.calls.telephony.aliyun import (
    AliyunSmartCallGateway,
    QueueExchange,
    VmsClient,
    answer_callback,
    report_ended,
)
from followup.calls.telephony.base import CallRequest, TelephonyError
from simulators.aliyun_vms import AliyunVmsSimulator, TextCallee
from simulators.server import SimulatorServer

RESIDENT = Callee(name="王秀兰", birth_year=1952, age=74,
                  programmes=frozenset({"hypertension", "type2_diabetes"}),
                  centre="东城社区卫生服务中心", doctor="李医生")
KEY_ID, SECRET = "LTAI-test-key", "test-secret-value"


@pytest.fixture(scope="module")
def exchange():
    return QueueExchange()


@pytest.fixture(scope="module")
def receiver(exchange):
    """Our callback endpoints, as the backend serves them."""
    app = Flask("callbacks")

    @app.post("/callback")
    def callback():
        return jsonify(answer_callback(exchange, request.form.to_dict()))

    @app.post("/report")
    def report():
        for item in request.get_json():
            report_ended(exchange, item["call_id"], item["status_code"])
        return jsonify({"code": 0, "msg": "成功"})

    with SimulatorServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def vms(receiver):
    simulator = AliyunVmsSimulator({KEY_ID: SECRET}, callback_url=receiver.url + "/callback",
                                   report_url=receiver.url + "/report")
    with SimulatorServer(simulator.app) as server:
        simulator.url = server.url + "/"
        yield simulator


def gateway(vms, exchange, secret: str = SECRET) -> AliyunSmartCallGateway:
    client = VmsClient(KEY_ID, secret, endpoint=vms.url)
    return AliyunSmartCallGateway(client, exchange, show_number="057188880000",
                                  voice_code="TTS_followup_0001")


def call(vms, exchange, number: str, transfer_to: str | None = None):
    dialogue = CallDialogue(RESIDENT, transfer_available=bool(transfer_to),
                            today=dt.date(2026, 12, 7))
    return run_call(gateway(vms, exchange), CallRequest(f"a{number[-4:]}", number, ""),
                    dialogue, transfer_to=transfer_to)


def test_a_whole_follow_up_at_the_transcript_level(vms, exchange):
    vms.callees["13800001001"] = TextCallee(["answer"], [
        "是我", "五二年", "145/85", "空腹血糖7.2", "每天按时吃", "没有", "没有", "都没有"])
    report = call(vms, exchange, "13800001001")
    outcome = report.outcome
    assert report.disposition is Disposition.ANSWERED
    assert outcome.status is CallStatus.COMPLETED
    assert outcome.answers.readings == {"systolic": 145, "diastolic": 85,
                                        "fasting_glucose": 7.2}
    log = vms.finished("13800001001")
    assert log.actions[-1]["action"] == "hangup"
    assert "请按时吃药" in log.actions[-1]["action_code_param"]
    assert all(a["action"] == "play" for a in log.actions[:-1])


def test_a_busy_line_comes_back_as_a_report(vms, exchange):
    vms.callees["13800001002"] = TextCallee(["busy"])
    assert call(vms, exchange, "13800001002").disposition is Disposition.BUSY


def test_asking_for_a_person_is_transferred(vms, exchange):
    vms.callees["13800001003"] = TextCallee(["answer"], ["我要找医生"])
    report = call(vms, exchange, "13800001003", transfer_to="057188881234")
    assert report.outcome.status is CallStatus.TRANSFERRED
    log = vms.finished("13800001003")
    assert log.transferred_to == "057188881234"


def test_a_wrong_secret_is_refused_by_the_signature_check(vms, exchange):
    with pytest.raises(TelephonyError, match="SignatureDoesNotMatch"):
        gateway(vms, exchange, secret="not-the-secret").dial(
            CallRequest("bad", "13800001004", ""))
