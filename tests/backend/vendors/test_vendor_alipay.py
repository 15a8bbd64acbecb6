"""AlipayOpenApi over the real python-alipay-sdk against the Alipay gateway simulator."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
import requests
from alipay import AliPay

from backend.vendors.alipay import AlipayIdentity, AlipayOpenApi, GatewayAliPay
from backend.vendors.errors import VendorAuthError, VendorError, VendorUnavailable
from simulators.alipay import create_alipay_simulator
from simulators.server import SimulatorServer


@pytest.fixture
def gateway(alipay_server) -> str:
    return alipay_server.url + "/gateway.do"


@pytest.fixture
def client(alipay_app_id, app_keys, alipay_keys, gateway) -> AlipayOpenApi:
    return AlipayOpenApi(alipay_app_id, app_keys.private_pem, alipay_keys.public_pem,
                         gateway_url=gateway)


def mint(server, app_id, **extra) -> dict:
    response = requests.post(f"{server.url}/_sim/auth-codes", json={"app_id": app_id, **extra},
                             timeout=5)
    response.raise_for_status()
    return response.json()


def test_login_returns_the_minted_user(client, alipay_server, alipay_app_id):
    minted = mint(alipay_server, alipay_app_id, user_id="2088123412341234")
    identity = client.oauth_token(minted["auth_code"])
    assert identity == AlipayIdentity(user_id="2088123412341234", open_id=minted["open_id"])


def test_reused_code_is_an_auth_error(client, alipay_server, alipay_app_id):
    code = mint(alipay_server, alipay_app_id)["auth_code"]
    client.oauth_token(code)
    with pytest.raises(VendorAuthError) as caught:
        client.oauth_token(code)
    assert (caught.value.vendor, caught.value.code) == ("alipay", "isv.code-invalid")
    assert caught.value.message == "授权码code无效"


def test_request_signed_with_another_app_key_is_rejected(
        alipay_server, alipay_app_id, stranger_keys, alipay_keys, gateway):
    impostor = AlipayOpenApi(alipay_app_id, stranger_keys.private_pem, alipay_keys.public_pem,
                             gateway_url=gateway)
    with pytest.raises(VendorError) as caught:
        impostor.oauth_token(mint(alipay_server, alipay_app_id)["auth_code"])
    assert not isinstance(caught.value, VendorAuthError | VendorUnavailable)
    assert caught.value.code == "isv.invalid-signature"


def test_unknown_app_id_is_rejected(app_keys, alipay_keys, gateway):
    stranger = AlipayOpenApi("2021999999999999", app_keys.private_pem, alipay_keys.public_pem,
                             gateway_url=gateway)
    with pytest.raises(VendorError) as caught:
        stranger.oauth_token("x")
    assert caught.value.code == "isv.invalid-app-id"


def test_response_signed_by_another_key_fails_verification(
        alipay_app_id, app_keys, stranger_keys, caplog):
    forged = create_alipay_simulator({alipay_app_id: app_keys.public_pem},
                                     stranger_keys.private_pem)
    with SimulatorServer(forged) as server:
        client = AlipayOpenApi(alipay_app_id, app_keys.private_pem,
                               # what we trust as Alipay's key is not what signed the answer
                               app_keys.public_pem, gateway_url=server.url + "/gateway.do")
        code = mint(server, alipay_app_id)["auth_code"]
        with caplog.at_level(logging.INFO, logger="backend.vendors"):
            with pytest.raises(VendorError) as caught:
                client.oauth_token(code)
    assert not isinstance(caught.value, VendorAuthError | VendorUnavailable)
    assert caught.value.message == "响应验签失败"
    assert code not in caplog.text


def test_simulator_down_is_unavailable(alipay_app_id, app_keys, alipay_keys, dead_url):
    client = AlipayOpenApi(alipay_app_id, app_keys.private_pem, alipay_keys.public_pem,
                           gateway_url=dead_url + "/gateway.do")
    with pytest.raises(VendorUnavailable) as caught:
        client.oauth_token("the-auth-code")
    assert "the-auth-code" not in str(caught.value)


@pytest.mark.parametrize("mode", ["502", "html", "slow"])
def test_5xx_non_json_and_timeouts_are_unavailable(
        alipay_app_id, app_keys, alipay_keys, misbehaving_server, mode):
    client = AlipayOpenApi(alipay_app_id, app_keys.private_pem, alipay_keys.public_pem,
                           gateway_url=f"{misbehaving_server.url}/{mode}/gateway.do",
                           timeout=0.2)
    with pytest.raises(VendorUnavailable):
        client.oauth_token("c")


def test_sdk_is_exposed_with_the_gateway_and_beijing_timestamps(client, gateway):
    assert isinstance(client.sdk, AliPay) and isinstance(client.sdk, GatewayAliPay)
    assert client.sdk.gateway_url == gateway
    body = client.sdk.build_body("alipay.trade.query", {"out_trade_no": "1"})
    sent = datetime.strptime(body["timestamp"], "%Y-%m-%d %H:%M:%S")
    beijing_now = datetime.now(timezone(timedelta(hours=8))).replace(tzinfo=None)
    assert abs((beijing_now - sent).total_seconds()) < 60


def test_bare_base64_keys_from_the_alipay_console_are_accepted(
        alipay_server, alipay_app_id, app_keys, alipay_keys, gateway):
    def bare(pem: str) -> str:
        return "".join(line for line in pem.splitlines() if not line.startswith("-----"))

    client = AlipayOpenApi(alipay_app_id, bare(app_keys.private_pem),
                           bare(alipay_keys.public_pem), gateway_url=gateway)
    code = mint(alipay_server, alipay_app_id)["auth_code"]
    assert client.oauth_token(code).user_id


def test_signed_business_failures_become_vendor_errors(alipay_app_id, app_keys, alipay_keys):
    from simulators.alipay import AlipayError

    def close(call):
        raise AlipayError("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在", in_method_response=True)

    sim = create_alipay_simulator({alipay_app_id: app_keys.public_pem}, alipay_keys.private_pem,
                                  methods={"alipay.trade.close": close})
    with SimulatorServer(sim) as server:
        client = AlipayOpenApi(alipay_app_id, app_keys.private_pem, alipay_keys.public_pem,
                               gateway_url=server.url + "/gateway.do")
        with pytest.raises(VendorError) as caught:
            client.call("alipay.trade.close", lambda: client.sdk.api_alipay_trade_close(
                out_trade_no="T1"))
    assert caught.value.code == "ACQ.TRADE_NOT_EXIST"
