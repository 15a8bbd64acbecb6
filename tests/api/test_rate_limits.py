"""Rate limits: the default per client and endpoint, a route's own limit, exemptions, counts
shared by every worker through Redis, and the 429 a refusal gets."""

from __future__ import annotations

import time

import pytest

from backend.config import ConfigError
from backend.rate_limits import Limit, parse_limits
from tests import factories as f
from tests.conftest import make_app
from tests.console.console_support import csrf_token

HOSPITALS = "/api/v1/mp/hospitals"
ME = "/api/v1/mp/me"


def _refused_as_documented(response) -> None:
    assert response.status_code == 429
    error = response.json["error"]
    assert error["code"] == "rate_limited" and error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"] != ""
    assert 0 < int(response.headers["Retry-After"]) <= 60  # the rest of the window


def test_the_default_limit_counts_each_client_on_each_endpoint(simulators, app):
    client = make_app(simulators, RATELIMIT_DEFAULT="3 per minute").test_client()
    statuses = [client.get(HOSPITALS).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    _refused_as_documented(client.get(HOSPITALS))
    # Another endpoint has its own count; another address too; health checks have none.
    assert client.get(ME).status_code == 401
    assert client.get(HOSPITALS, environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert {client.get("/healthz").status_code for _ in range(6)} == {200}


def test_workers_share_the_counts_through_redis(simulators, app):
    workers = [make_app(simulators, RATELIMIT_DEFAULT="4 per minute").test_client()
               for _ in range(2)]
    statuses = [workers[i % 2].get(HOSPITALS).status_code for i in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_a_window_that_ended_starts_again(simulators, app):
    client = make_app(simulators, RATELIMIT_DEFAULT="2 per second").test_client()
    assert [client.get(HOSPITALS).status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.2)
    assert client.get(HOSPITALS).status_code == 200


def test_a_route_with_its_own_limit_has_it_instead_of_the_default(simulators, app):
    limited = make_app(simulators, RATELIMIT_DEFAULT="2 per minute",
                       RATELIMIT_LOGIN="4 per minute")
    client = limited.test_client()
    statuses = [client.post("/api/v1/mp/auth/wechat", json={"code": "bad"}).status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]


def test_the_console_login_limits_posts_and_leaves_pages_to_the_default(simulators, app):
    client = make_app(simulators, RATELIMIT_DEFAULT="3 per minute",
                      RATELIMIT_LOGIN="1 per minute").test_client()

    def attempt():
        page = client.get("/console/login")  # a fresh form (and a count of the default)
        return client.post("/console/login", data={
            "username": "nobody", "password": "wrong-password",
            "csrf_token": csrf_token(page.get_data(as_text=True))})

    assert attempt().status_code == 401  # a wrong password, shown on the form again
    refused = attempt()
    assert refused.status_code == 429 and "操作太频繁" in refused.get_data(as_text=True)
    assert [client.get("/console/login").status_code for _ in range(2)] == [200, 429]


def test_limits_can_be_switched_off_outside_production(simulators, app):
    client = make_app(simulators, RATELIMIT_DEFAULT="1 per minute",
                      RATELIMIT_ENABLED=False).test_client()
    assert {client.get(HOSPITALS).status_code for _ in range(3)} == {200}


def test_an_authenticated_endpoint_has_the_default_limit_too(simulators, app, ctx):
    account = f.account()
    headers = f.bearer(f.account_token(account))
    client = make_app(simulators, RATELIMIT_DEFAULT="2 per minute").test_client()
    assert [client.get(ME, headers=headers).status_code for _ in range(3)] == [200, 200, 429]


def test_limit_settings_are_read_as_written():
    assert parse_limits("300 per minute") == (Limit(300, 60),)
    assert parse_limits("10/hour; 5 per 10 seconds") == (Limit(10, 3600), Limit(5, 10))
    assert parse_limits(" 2 Per Day ") == (Limit(2, 86400),)
    for bad in ("", "many per minute", "10 per fortnight", "per minute"):
        with pytest.raises(ValueError):
            parse_limits(bad)


def test_a_bad_limit_setting_stops_start_up(simulators, app):
    for name in ("RATELIMIT_DEFAULT", "RATELIMIT_LOGIN", "RATELIMIT_MESSAGES"):
        with pytest.raises(ConfigError, match=f"{name}: not a rate limit: 'lots'"):
            make_app(simulators, **{name: "lots"})
