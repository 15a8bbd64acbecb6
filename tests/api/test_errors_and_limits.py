"""One error envelope everywhere; request-size and rate limits."""

from __future__ import annotations

from tests import factories as f
from tests.conftest import make_app


def _assert_envelope(response, status, code):
    assert response.status_code == status
    assert response.is_json
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_route_and_method(client):
    _assert_envelope(client.get("/api/v1/nothing-here"), 404, "not_found")
    _assert_envelope(client.delete("/api/v1/mp/auth/wechat"), 405, "method_not_allowed")


def test_malformed_json(client):
    response = client.post("/api/v1/mp/auth/wechat", data="{not json",
                           content_type="application/json")
    assert response.status_code in {400, 422}
    assert response.json["error"]["code"] in {"bad_request", "validation_error"}


def test_body_too_large(client):
    response = client.post("/api/v1/mp/auth/wechat", data="x" * 2_000_000,
                           content_type="application/json")
    _assert_envelope(response, 413, "payload_too_large")


def test_request_id_is_echoed_when_sane(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-12345678"})
    assert response.headers["X-Request-ID"] == "abc-12345678"
    evil = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert len(evil.headers["X-Request-ID"]) == 32
    assert "<" not in evil.headers["X-Request-ID"]


def test_login_is_rate_limited_per_client(simulators, app):
    limited = make_app(simulators, RATELIMIT_LOGIN="3 per minute")
    client = limited.test_client()
    statuses = [client.post("/api/v1/mp/auth/wechat", json={"code": "bad"}).status_code
                for _ in range(5)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    _assert_envelope(client.post("/api/v1/mp/auth/wechat", json={"code": "bad"}), 429,
                     "rate_limited")


def test_unexpected_errors_become_a_500_envelope_without_details(app, ctx, monkeypatch):
    from backend.services import profiles

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail 110105198203150033")

    monkeypatch.setattr(profiles, "list_profiles", explode)
    token = f.bearer(f.account_token(f.account()))
    response = app.test_client().get("/api/v1/mp/profiles", headers=token)
    _assert_envelope(response, 500, "internal_error")
    assert "secret internal detail" not in response.get_data(as_text=True)
