"""Simulators served on loopback for the protocol-level tests of tests/simulators."""

from __future__ import annotations

import time

import pytest

from simulators.alipay import create_alipay_simulator
from simulators.keys import cached_rsa_keypair
from simulators.server import SimulatorServer
from simulators.wechat import create_wechat_simulator

WECHAT_APPS = {"wx1111111111111111": "secret-one", "wx2222222222222222": "secret-two"}
ALIPAY_APP_ID = "2021000000000001"
ALIPAY_OTHER_APP_ID = "2021000000000002"


class ManualClock:
    """time.time() plus an offset the tests move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture(scope="module")
def wechat_apps() -> dict[str, str]:
    return dict(WECHAT_APPS)


@pytest.fixture(scope="module")
def alipay_app_id() -> str:
    return ALIPAY_APP_ID


@pytest.fixture(scope="module")
def alipay_other_app_id() -> str:
    return ALIPAY_OTHER_APP_ID


@pytest.fixture(scope="module")
def wechat_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def wechat_server(wechat_clock):
    with SimulatorServer(create_wechat_simulator(WECHAT_APPS, clock=wechat_clock)) as server:
        yield server


@pytest.fixture(scope="module")
def app_keys():
    return cached_rsa_keypair("alipay-app")


@pytest.fixture(scope="module")
def other_app_keys():
    return cached_rsa_keypair("alipay-other-app")


@pytest.fixture(scope="module")
def alipay_keys():
    return cached_rsa_keypair("alipay-platform")


@pytest.fixture(scope="module")
def alipay_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def alipay_server(app_keys, other_app_keys, alipay_keys, alipay_clock):
    apps = {ALIPAY_APP_ID: app_keys.public_pem, ALIPAY_OTHER_APP_ID: other_app_keys.public_pem}
    app = create_alipay_simulator(apps, alipay_keys.private_pem, clock=alipay_clock)
    with SimulatorServer(app) as server:
        yield server
