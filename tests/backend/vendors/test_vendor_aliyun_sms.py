"""AliyunSms over Alibaba Cloud's own SDK against the SMS simulator on loopback, which checks
the ACS3-HMAC-SHA256 signature of every request."""

from __future__ import annotations

import pytest
import requests

from backend.vendors.aliyun_sms import AliyunSms
from backend.vendors.errors import VendorError, VendorUnavailable
from simulators.aliyun_sms import create_aliyun_sms_simulator
from simulators.server import SimulatorServer

KEY, SECRET, SIGN = "LTAI5tTestKey000000000001", "sms-secret", "东湖社区卫生服务中心"
TEXT = "${name}您好，您在${centre}的慢病随访约在${date}，请按时来。"


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(create_aliyun_sms_simulator({KEY: SECRET}, {SIGN},
                                                     {"SMS_1001": TEXT})) as running:
        yield running


def sms(server, secret: str = SECRET, sign: str = SIGN) -> AliyunSms:
    return AliyunSms(KEY, secret, sign, endpoint=server.url)


def texts(server, phone: str) -> list[str]:
    return [m["text"] for m in requests.get(f"{server.url}/_sim/messages", params={
        "phone": phone}, timeout=5).json()["messages"]]


PARAMS = {"name": "王建国", "centre": "东湖社区", "date": "12月10日"}


def test_a_signed_message_reaches_the_phone_as_the_template_says(server):
    biz_id = sms(server).send("13900000011", "SMS_1001", PARAMS, out_id="c-1")
    assert "^" in biz_id
    assert texts(server, "13900000011") == [
        "【东湖社区卫生服务中心】王建国您好，您在东湖社区的慢病随访约在12月10日，请按时来。"]


def test_a_wrong_secret_is_refused_by_the_signature_check_and_nothing_is_sent(server):
    with pytest.raises(VendorError) as refused:
        sms(server, secret="not-the-secret").send("13900000012", "SMS_1001", PARAMS, "c-2")
    assert refused.value.code == "SignatureDoesNotMatch"
    assert not isinstance(refused.value, VendorUnavailable)
    assert texts(server, "13900000012") == []


def test_an_out_of_service_number_is_named_as_such(server):
    requests.post(f"{server.url}/_sim/unreachable", json={"phone": "13900000013"}, timeout=5)
    with pytest.raises(VendorError) as refused:
        sms(server).send("13900000013", "SMS_1001", PARAMS, "c-3")
    assert refused.value.code == "isv.MOBILE_NUMBER_ILLEGAL"


def test_an_unapproved_signature_or_missing_variable_is_refused(server):
    with pytest.raises(VendorError) as unsigned:
        sms(server, sign="别的签名").send("13900000014", "SMS_1001", PARAMS, "c-4")
    with pytest.raises(VendorError) as missing:
        sms(server).send("13900000014", "SMS_1001", {"name": "王建国"}, "c-5")
    assert (unsigned.value.code, missing.value.code) == (
        "isv.SMS_SIGNATURE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS")


def test_an_outage_or_a_dead_endpoint_may_be_tried_again(server):
    requests.post(f"{server.url}/_sim/outage", json={"times": 1}, timeout=5)
    with pytest.raises(VendorUnavailable):
        sms(server).send("13900000015", "SMS_1001", PARAMS, "c-6")
    with pytest.raises(VendorUnavailable):
        AliyunSms(KEY, SECRET, SIGN, endpoint="http://127.0.0.1:9", timeout_ms=500).send(
            "13900000015", "SMS_1001", PARAMS, "c-7")
