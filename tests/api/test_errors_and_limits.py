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
    refused = client.post("/api/v1/mp/auth/wechat", json={"code": "bad"})
    _assert_envelope(refused, 429, "rate_limited")
    assert 0 < int(refused.headers["Retry-After"]) <= 60  # when to try again, at most a window


def test_unexpected_errors_become_a_500_envelope_without_details(app, ctx, monkeypatch):
    from backend.services import profiles

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail 110105198203150033")

    monkeypatch.setattr(profiles, "list_profiles", explode)
    token = f.bearer(f.account_token(f.account()))
    response = app.test_client().get("/api/v1/mp/profiles", headers=token)
    _assert_envelope(response, 500, "internal_error")
    assert "secret internal detail" not in response.get_data(as_text=True)


def test_json_nested_too_deep_is_refused_before_parsing(client):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        for path in ("/api/v1/mp/auth/wechat", "/api/v1/admin/auth/login",
                     "/api/v1/notify/wechat"):
            response = client.post(path, data=body, content_type="application/json")
            _assert_envelope(response, 400, "json_too_deep")
    # Brackets inside strings do not count, and ordinary nesting is fine.
    shallow = client.post("/api/v1/mp/auth/wechat", json={"code": "[" * 100})
    assert shallow.status_code == 401
    assert shallow.json["error"]["code"] != "json_too_deep"


def test_a_body_in_another_format_than_json_is_refused_with_415(client):
    form = client.post("/api/v1/mp/auth/wechat", data={"code": "abc"})
    _assert_envelope(form, 415, "unsupported_media_type")
    text = client.post("/api/v1/admin/auth/login", data='{"username": "a", "password": "b"}',
                       content_type="text/plain")
    _assert_envelope(text, 415, "unsupported_media_type")
    # A body-less POST needs no content type at all.
    assert client.post("/api/v1/mp/auth/logout").status_code == 401


def test_a_405_says_which_methods_are_allowed(client):
    response = client.delete("/api/v1/mp/auth/wechat")
    _assert_envelope(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"POST", "OPTIONS"}
    assert response.headers["Content-Type"] == "application/json"


def test_the_openapi_document_states_the_rules_the_guards_enforce(client):
    document = client.get("/api/v1/openapi.json").json
    assert "415" in document["info"]["description"]
    with_body = [(path, method, operation) for path, item in document["paths"].items()
                 for method, operation in item.items()
                 if isinstance(operation, dict) and "requestBody" in operation]
    assert len(with_body) >= 15
    for path, method, operation in with_body:
        assert {"400", "415", "422"} <= set(operation["responses"]), (method, path)
    keys = [parameter for item in document["paths"].values() for operation in item.values()
            if isinstance(operation, dict) for parameter in operation.get("parameters", [])
            if parameter.get("name") == "Idempotency-Key"]
    assert keys and all(k["schema"]["minLength"] == 8 and k["schema"]["maxLength"] == 64
                        and k["schema"]["pattern"] == "^[!-~]{8,64}$" for k in keys)
    schemas = document["components"]["schemas"]
    assert schemas["BookingRules"]["properties"]["hold_minutes"]["type"] == "integer"
    assert schemas["SchedulePush"]["properties"]["schedules"]["minItems"] == 1
    choices = schemas["SubscriptionChoices"]["properties"]["results"]
    assert (choices["minProperties"], choices["maxProperties"]) == (1, 20)
    assert "minLength" not in choices


def test_a_write_a_database_constraint_refuses_is_a_409_not_a_500(simulators, app):
    fresh = make_app(simulators)

    @fresh.post("/_test/twice")
    def twice():  # two staff with one username: the unique constraint refuses the second
        org = f.organization()
        f.staff(org, username="same.name")
        f.staff(org, username="same.name")
        return {"data": "unreachable"}

    response = fresh.test_client().post("/_test/twice")
    _assert_envelope(response, 409, "conflict")
    assert "same.name" not in response.get_data(as_text=True)


def test_a_request_that_still_needs_an_unreachable_redis_is_a_503_not_a_500(simulators, app):
    import socket

    import redis

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    fresh = make_app(simulators, REDIS_URL=dead)

    @fresh.get("/_test/needs-redis")
    def needs_redis():
        return {"data": redis.Redis.from_url(dead).get("anything")}

    response = fresh.test_client().get("/_test/needs-redis")
    _assert_envelope(response, 503, "service_unavailable")
    assert int(response.headers["Retry-After"]) > 0
