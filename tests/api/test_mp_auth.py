"""Patients log in through WeChat and Alipay (real SDKs against the simulators) and log out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import alipay_code, bearer, wechat_code


def login_wechat(client, simulators, openid=None):
    return client.post("/api/v1/mp/auth/wechat", json={"code": wechat_code(simulators, openid)})


def test_wechat_login_creates_account_once_and_token_opens_me(client, simulators):
    first = login_wechat(client, simulators, "oUSER0000000000000000000000a")
    assert first.status_code == 200, first.json
    data = first.json["data"]
    assert data["is_new_account"] is True
    second = login_wechat(client, simulators, "oUSER0000000000000000000000a").json["data"]
    assert second["is_new_account"] is False
    assert second["account_id"] == data["account_id"]
    me = client.get("/api/v1/mp/me", headers=bearer(second["token"]))
    assert me.status_code == 200
    assert me.json["data"]["id"] == data["account_id"]
    assert me.json["data"]["channels"] == ["wechat"]


def test_a_used_wechat_code_is_refused_with_a_clear_error(client, simulators):
    code = wechat_code(simulators)
    assert client.post("/api/v1/mp/auth/wechat", json={"code": code}).status_code == 200
    again = client.post("/api/v1/mp/auth/wechat", json={"code": code})
    assert again.status_code == 401
    assert again.json["error"]["code"] == "login_code_invalid"
    assert "重新登录" in again.json["error"]["message"]


def test_alipay_login_issues_a_session(client, simulators):
    response = client.post("/api/v1/mp/auth/alipay",
                           json={"auth_code": alipay_code(simulators, "2088000011112222")})
    assert response.status_code == 200, response.json
    token = response.json["data"]["token"]
    me = client.get("/api/v1/mp/me", headers=bearer(token)).json["data"]
    assert me["channels"] == ["alipay"]
    reused = client.post("/api/v1/mp/auth/alipay", json={"auth_code": "not-a-real-code"})
    assert reused.status_code == 401


def test_logout_revokes_the_token(client, simulators):
    token = login_wechat(client, simulators).json["data"]["token"]
    assert client.post("/api/v1/mp/auth/logout", headers=bearer(token)).status_code == 200
    after = client.get("/api/v1/mp/me", headers=bearer(token))
    assert after.status_code == 401
    assert after.json["error"]["code"] == "unauthenticated"


def test_tampered_missing_and_expired_tokens_are_refused(client, simulators):
    token = login_wechat(client, simulators).json["data"]["token"]
    assert client.get("/api/v1/mp/me").status_code == 401
    assert client.get("/api/v1/mp/me", headers=bearer(token[:-2] + "xx")).status_code == 401
    assert client.get("/api/v1/mp/me", headers={"Authorization": token}).status_code == 401
    with time_machine.travel("2099-01-01", tick=False):
        assert client.get("/api/v1/mp/me", headers=bearer(token)).status_code == 401


def test_a_token_in_use_is_refused_once_it_is_too_old(app, client, simulators):
    token = login_wechat(client, simulators).json["data"]["token"]
    assert client.get("/api/v1/mp/me", headers=bearer(token)).status_code == 200
    hours = app.config["SESSION_TTL_HOURS"]
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=hours, minutes=1), tick=False):
        assert client.get("/api/v1/mp/me", headers=bearer(token)).status_code == 401
    with time_machine.travel(datetime.now(UTC) - timedelta(minutes=5), tick=False):
        assert client.get("/api/v1/mp/me", headers=bearer(token)).status_code == 401  # signed later
    assert client.get("/api/v1/mp/me", headers=bearer(token)).status_code == 200


def test_login_input_is_validated(client):
    response = client.post("/api/v1/mp/auth/wechat", json={"code": ""})
    assert response.status_code == 422
    assert response.json["error"]["field"] == "code"
    unknown = client.post("/api/v1/mp/auth/wechat", json={"code": "x", "extra": 1})
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"]["extra"] == ["不支持此项。"]


def test_consent_is_recorded(client, simulators):
    token = login_wechat(client, simulators).json["data"]["token"]
    assert client.get("/api/v1/mp/me", headers=bearer(token)).json["data"][
        "privacy_consented_at"] is None
    response = client.post("/api/v1/mp/me/consent", json={"policy_version": "2026-01"},
                           headers=bearer(token))
    assert response.status_code == 200
    assert response.json["data"]["privacy_policy_version"] == "2026-01"
    assert response.json["data"]["privacy_consented_at"]


def test_a_signed_token_with_an_odd_payload_is_refused_with_401(app, client):
    from itsdangerous import URLSafeTimedSerializer

    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="frontdoor.session.v1")
    for payload in ({"sid": 5}, {"sid": None}, {"sid": ["a"]}, {"sid": "not-hex"}, [1, 2],
                    "sid", 7, None, {}):
        response = client.get("/api/v1/mp/me", headers=bearer(signer.dumps(payload)))
        assert response.status_code == 401, payload
        assert response.json["error"]["code"] == "unauthenticated"
