"""Vendor simulators on loopback, and small stub servers for failure modes, for the vendor
client tests."""

from __future__ import annotations

import time

import pytest
from flask import Flask, Response

from simulators.alipay import create_alipay_simulator
from simulators.keys import cached_rsa_keypair
from simulators.server import SimulatorServer
from simulators.wechat import create_wechat_simulator

WECHAT_APPID, WECHAT_SECRET = "wx5555555555555555", "s3cr3t-app-secret"
ALIPAY_APP_ID = "2021000000000005"


class ManualClock:
    """time.time() plus an offset the tests move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture(scope="module")
def wechat_app() -> tuple[str, str]:
    return WECHAT_APPID, WECHAT_SECRET


@pytest.fixture(scope="module")
def wechat_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def wechat_server(wechat_clock):
    app = create_wechat_simulator({WECHAT_APPID: WECHAT_SECRET}, clock=wechat_clock)
    with SimulatorServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def alipay_app_id() -> str:
    return ALIPAY_APP_ID


@pytest.fixture(scope="module")
def app_keys():
    return cached_rsa_keypair("alipay-app")


@pytest.fixture(scope="module")
def alipay_keys():
    return cached_rsa_keypair("alipay-platform")


@pytest.fixture(scope="module")
def stranger_keys():
    return cached_rsa_keypair("alipay-stranger")


@pytest.fixture(scope="module")
def alipay_server(app_keys, alipay_keys):
    app = create_alipay_simulator({ALIPAY_APP_ID: app_keys.public_pem}, alipay_keys.private_pem)
    with SimulatorServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def misbehaving_server():
    """Answers every path as told by its first segment: /502/..., /html/..., /slow/...,
    /busy/... (WeChat's errcode -1), /badtoken/... (issues tokens, then rejects every one)."""
    app = Flask(__name__)

    @app.route("/<mode>/<path:rest>", methods=["GET", "POST"])
    def misbehave(mode: str, rest: str):
        if mode == "502":
            return Response("<html>bad gateway</html>", status=502, mimetype="text/html")
        if mode == "html":
            return Response("<html>login portal</html>", mimetype="text/html")
        if mode == "slow":
            time.sleep(1)
            return {"errcode": 0}
        if mode == "badtoken":
            if rest == "cgi-bin/token":
                return {"access_token": "never-accepted", "expires_in": 7200}
            return {"errcode": 40001, "errmsg": "invalid credential"}
        if mode == "busy":
            return {"errcode": -1, "errmsg": "system error"}
        return Response(status=404)

    with SimulatorServer(app) as server:
        yield server


@pytest.fixture
def dead_url():
    """The URL of a server that just stopped: connections are refused."""
    server = SimulatorServer(Flask(__name__)).start()
    server.stop()
    return server.url
