"""The Alipay gateway simulator at the HTTP level, with requests signed independently of the
SDK, and its answers checked with python-alipay-sdk's own response verification."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
import requests
from alipay import AliPay
from alipay.exceptions import AliPayException
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask

from simulators.alipay import (
    AlipayError,
    MethodCall,
    create_alipay_simulator,
    locate_signed_content,
    string_to_sign,
)
from simulators.keys import generate_rsa_keypair
from simulators.server import SimulatorServer

OAUTH = "alipay.system.oauth.token"
OAUTH_KEY = "alipay_system_oauth_token_response"


def rsa2_sign(private_pem: str, content: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    signature = key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def signed_params(app_id: str, private_pem: str, method: str = OAUTH, **extra) -> dict:
    params = {
        "app_id": app_id, "method": method, "charset": "utf-8", "sign_type": "RSA2",
        "timestamp": datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S"),
        "version": "1.0", "biz_content": "{}", **extra,
    }
    params["sign"] = rsa2_sign(private_pem, string_to_sign(params))
    return params


@pytest.fixture
def gateway(alipay_server):
    return alipay_server.url + "/gateway.do"


@pytest.fixture
def sdk_verifier(app_keys, alipay_keys, alipay_app_id):
    """The SDK's response verification, used as-is (no network)."""
    return AliPay(alipay_app_id, app_private_key_string=app_keys.private_pem,
                  alipay_public_key_string=alipay_keys.public_pem)


def mint(url: str, app_id: str, **extra) -> dict:
    response = requests.post(f"{url}/_sim/auth-codes", json={"app_id": app_id, **extra},
                             timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_string_to_sign_sorts_and_skips_sign_and_empty_values():
    params = {"b": "2", "a": "1", "sign": "xyz", "notify_url": "", "sign_type": "RSA2"}
    assert string_to_sign(params) == "a=1&b=2&sign_type=RSA2"


def test_oauth_token_happy_path_is_verifiable_by_the_sdk(
        alipay_server, gateway, app_keys, alipay_app_id, sdk_verifier):
    minted = mint(alipay_server.url, alipay_app_id)
    assert minted["user_id"].startswith("2088") and len(minted["user_id"]) == 16
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code=minted["auth_code"])
    raw = requests.get(gateway, params=params, timeout=5).text

    answer = json.loads(raw)
    assert list(answer) == [OAUTH_KEY, "sign"]
    body = answer[OAUTH_KEY]
    assert list(body) == ["user_id", "open_id", "access_token", "expires_in", "refresh_token",
                          "re_expires_in", "auth_start"]
    assert body["user_id"] == minted["user_id"]
    assert body["open_id"] == minted["open_id"]
    assert (body["expires_in"], body["re_expires_in"]) == (1296000, 2592000)
    datetime.strptime(body["auth_start"], "%Y-%m-%d %H:%M:%S")

    # The signature covers the exact JSON text the SDK locates, and the SDK accepts it.
    assert json.loads(locate_signed_content(raw, OAUTH_KEY)) == body
    assert sdk_verifier._verify_and_return_sync_response(raw, OAUTH_KEY) == body


def test_post_with_form_body_works_too(alipay_server, gateway, app_keys, alipay_app_id):
    code = mint(alipay_server.url, alipay_app_id)["auth_code"]
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code=code)
    answer = requests.post(gateway, data=params, timeout=5).json()
    assert OAUTH_KEY in answer


def test_chosen_user_keeps_a_stable_app_scoped_open_id(
        alipay_server, alipay_app_id, alipay_other_app_id):
    user_id = "2088000011112222"
    first = mint(alipay_server.url, alipay_app_id, user_id=user_id)
    again = mint(alipay_server.url, alipay_app_id, user_id=user_id)
    elsewhere = mint(alipay_server.url, alipay_other_app_id, user_id=user_id)
    assert first["user_id"] == user_id
    assert first["open_id"] == again["open_id"] != elsewhere["open_id"]
    assert first["auth_code"] != again["auth_code"]


def test_reused_code_is_invalid(alipay_server, gateway, app_keys, alipay_app_id):
    code = mint(alipay_server.url, alipay_app_id)["auth_code"]
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code=code)
    assert OAUTH_KEY in requests.get(gateway, params=params, timeout=5).json()
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code=code)
    assert requests.get(gateway, params=params, timeout=5).json() == {
        "error_response": {"code": "40002", "msg": "Invalid Arguments",
                           "sub_code": "isv.code-invalid", "sub_msg": "授权码code无效"},
        "sign": "",
    }


def test_codes_expire_after_five_minutes_and_belong_to_their_app(
        alipay_server, gateway, app_keys, alipay_app_id, alipay_other_app_id, alipay_clock):
    def redeem(code):
        params = signed_params(alipay_app_id, app_keys.private_pem,
                               grant_type="authorization_code", code=code)
        answer = requests.get(gateway, params=params, timeout=5).json()
        return answer.get("error_response", {}).get("sub_code", "ok")

    assert redeem(mint(alipay_server.url, alipay_other_app_id)["auth_code"]) == "isv.code-invalid"
    fresh, stale = (mint(alipay_server.url, alipay_app_id)["auth_code"] for _ in range(2))
    alipay_clock.advance(299)
    assert redeem(fresh) == "ok"
    alipay_clock.advance(2)
    assert redeem(stale) == "isv.code-invalid"


def _gateway_error(gateway, params) -> dict:
    answer = requests.get(gateway, params=params, timeout=5).json()
    assert "sign" not in answer
    return answer["error_response"]


def test_request_signed_with_another_key_is_rejected(gateway, other_app_keys, alipay_app_id):
    params = signed_params(alipay_app_id, other_app_keys.private_pem,
                           grant_type="authorization_code", code="x")
    assert _gateway_error(gateway, params) == {
        "code": "40002", "msg": "Invalid Arguments",
        "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"}


def test_tampered_parameters_fail_verification(gateway, app_keys, alipay_app_id):
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code="x")
    params["code"] = "y"
    assert _gateway_error(gateway, params)["sub_code"] == "isv.invalid-signature"


def test_empty_parameters_are_not_signed(alipay_server, gateway, app_keys, alipay_app_id):
    code = mint(alipay_server.url, alipay_app_id)["auth_code"]
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code=code)
    params["notify_url"] = ""  # added after signing: ignored like Alipay does
    assert OAUTH_KEY in requests.get(gateway, params=params, timeout=5).json()


@pytest.mark.parametrize(("change", "code", "sub_code"), [
    ({"app_id": "2021999999999999"}, "40002", "isv.invalid-app-id"),
    ({"app_id": ""}, "40001", "isv.missing-app-id"),
    ({"method": ""}, "40001", "isv.missing-method"),
    ({"sign": ""}, "40001", "isv.missing-signature"),
    ({"sign_type": "RSA"}, "40002", "isv.invalid-signature-type"),
    ({"timestamp": "yesterday"}, "40002", "isv.invalid-timestamp"),
    ({"charset": "GBK"}, "40002", "isv.invalid-charset"),
])
def test_gateway_parameter_errors(gateway, app_keys, alipay_app_id, change, code, sub_code):
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code="x")
    params.update(change)
    error = _gateway_error(gateway, params)
    assert (error["code"], error["sub_code"]) == (code, sub_code)
    assert error["msg"] == {"40001": "Missing Required Arguments",
                            "40002": "Invalid Arguments"}[code]


def test_unknown_method(gateway, app_keys, alipay_app_id):
    params = signed_params(alipay_app_id, app_keys.private_pem, method="alipay.no.such.method")
    assert _gateway_error(gateway, params)["sub_code"] == "isv.invalid-method"


def test_sdk_raises_on_error_answers(gateway, other_app_keys, alipay_app_id, sdk_verifier):
    params = signed_params(alipay_app_id, other_app_keys.private_pem,
                           grant_type="authorization_code", code="x")
    raw = requests.get(gateway, params=params, timeout=5).text
    with pytest.raises(AliPayException):
        sdk_verifier._verify_and_return_sync_response(raw, OAUTH_KEY)


def test_more_methods_can_be_registered(app_keys, alipay_keys, alipay_app_id, sdk_verifier):
    def echo(call: MethodCall) -> dict:
        if call.biz_content.get("fail"):
            raise AlipayError("40004", "ACQ.TRADE_HAS_CLOSE", "交易已经关闭",
                              in_method_response=True)
        return {"code": "10000", "msg": "Success", "echo": call.biz_content["out_trade_no"],
                "app_id": call.app_id}

    app: Flask = create_alipay_simulator({alipay_app_id: app_keys.public_pem},
                                         alipay_keys.private_pem, methods={"test.echo": echo})
    with SimulatorServer(app) as server:
        gateway = server.url + "/gateway.do"
        biz = json.dumps({"out_trade_no": "T1"}, separators=(",", ":"))
        params = signed_params(alipay_app_id, app_keys.private_pem, "test.echo", biz_content=biz)
        raw = requests.get(gateway, params=params, timeout=5).text
        assert sdk_verifier._verify_and_return_sync_response(raw, "test_echo_response") == {
            "code": "10000", "msg": "Success", "echo": "T1", "app_id": alipay_app_id}

        params = signed_params(alipay_app_id, app_keys.private_pem, "test.echo",
                               biz_content='{"fail":true}')
        raw = requests.get(gateway, params=params, timeout=5).text
        failure = sdk_verifier._verify_and_return_sync_response(raw, "test_echo_response")
        assert failure["code"] == "40004" and failure["sub_code"] == "ACQ.TRADE_HAS_CLOSE"

        # The default method is still there.
        assert "alipay.system.oauth.token" in app.extensions["alipay_simulator"].methods


def test_biz_content_must_be_a_json_object(gateway, app_keys, alipay_app_id):
    params = signed_params(alipay_app_id, app_keys.private_pem, biz_content="[1]",
                           grant_type="authorization_code", code="x")
    assert _gateway_error(gateway, params)["sub_code"] == "isv.invalid-parameter"


def test_control_endpoint_validates_its_input(alipay_server):
    url = alipay_server.url + "/_sim/auth-codes"
    assert requests.post(url, json={"app_id": "nope"}, timeout=5).status_code == 404
    assert requests.post(url, json={}, timeout=5).status_code == 400
    bad_user = {"app_id": "2021000000000001", "user_id": "1234"}
    assert requests.post(url, json=bad_user, timeout=5).status_code == 400


def test_calls_are_counted_per_method(alipay_server, gateway, app_keys, alipay_app_id):
    calls_url = alipay_server.url + "/_sim/calls"
    before = requests.get(calls_url, timeout=5).json()["calls"].get(OAUTH, 0)
    params = signed_params(alipay_app_id, app_keys.private_pem,
                           grant_type="authorization_code", code="x")
    requests.get(gateway, params=params, timeout=5)
    assert requests.get(calls_url, timeout=5).json()["calls"][OAUTH] == before + 1


def test_simulator_rejects_keys_that_are_not_rsa_pem():
    with pytest.raises(ValueError):
        create_alipay_simulator({"x": "not a key"}, generate_rsa_keypair(1024).private_pem)
