"""WeComApp over wechatpy's enterprise client against the WeCom simulator on loopback."""

from __future__ import annotations

import pytest
import requests
from wechatpy.session.memorystorage import MemoryStorage

from backend.vendors.errors import VendorError, VendorUnavailable
from backend.vendors.wecom import WeComApp
from simulators.server import SimulatorServer
from simulators.wecom import create_wecom_simulator

CORP, SECRET, AGENT = "ww1111111111111111", "wecom-app-secret", 1000005


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(create_wecom_simulator(CORP, SECRET, AGENT)) as running:
        requests.post(f"{running.url}/_sim/members", json={"userid": "LiMing"}, timeout=5)
        yield running


def app(server, secret: str = SECRET, agent: int = AGENT) -> WeComApp:
    return WeComApp(CORP, agent, secret, api_base_url=server.url + "/", session=MemoryStorage())


def delivered(server, userid: str) -> list[dict]:
    return requests.get(f"{server.url}/_sim/messages", params={"userid": userid},
                        timeout=5).json()["messages"]


def test_a_member_gets_a_confidential_text(server):
    before = len(delivered(server, "LiMing"))
    assert app(server).send_text(["LiMing", "Gone"], "【危急值】钾 6.8mmol/L") == ["Gone"]
    [message] = delivered(server, "LiMing")[before:]
    assert message["text"]["content"] == "【危急值】钾 6.8mmol/L"
    assert message["safe"] == 1  # watermarked, cannot be forwarded


def test_nobody_reachable_is_81013(server):
    with pytest.raises(VendorError) as refused:
        app(server).send_text(["Nobody"], "x")
    assert refused.value.code == "81013" and not isinstance(refused.value, VendorUnavailable)


def test_busy_is_transient(server):
    requests.post(f"{server.url}/_sim/outage", json={"times": 1}, timeout=5)
    with pytest.raises(VendorUnavailable):
        app(server).send_text(["LiMing"], "x")
    assert app(server).send_text(["LiMing"], "x") == []


def test_wrong_secret_and_wrong_agent_are_refused(server):
    with pytest.raises(VendorError) as wrong_secret:
        app(server, secret="not-it").send_text(["LiMing"], "x")
    assert wrong_secret.value.code == "40001"
    with pytest.raises(VendorError) as wrong_agent:
        app(server, agent=42).send_text(["LiMing"], "x")
    assert wrong_agent.value.code == "40056"


def test_a_stale_token_is_fetched_again_once(server):
    client = app(server)
    client.send_text(["LiMing"], "first")
    client._client.session.set(client._client.access_token_key, "stale-token", 7200)
    assert client.send_text(["LiMing"], "second") == []


def test_unreachable_wecom_is_transient():
    down = SimulatorServer(create_wecom_simulator(CORP, SECRET, AGENT)).start()
    down.stop()
    with pytest.raises(VendorUnavailable):
        app(down).send_text(["LiMing"], "x")
