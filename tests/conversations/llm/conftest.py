"""The DashScope and OpenAI-compatible simulators on loopback, and a harness per provider."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from conversations.llm import GuardedModel, create
from simulators.llm import create_dashscope_simulator, create_openai_simulator
from simulators.server import SimulatorServer

DASHSCOPE_KEY = "sk-dashscope-test"
OPENAI_KEY = "token-vllm-test"

ID_NUMBER = "110105198203150033"
PHONE = "13800138000"

ALLOWED = {
    "headache": ["头痛", "头疼", "脑壳疼"],
    "fever": ["发热", "发烧"],
    "cough": ["咳嗽"],
    "chest_pain": ["胸痛", "胸口疼"],
}


def simple_masker(text: str) -> str:
    """Stands in for the backend's masker: 18-digit ID numbers and mainland mobile numbers."""
    text = re.sub(r"(?<!\d)\d{17}[\dXx](?!\d)", "[身份证号]", text)
    return re.sub(r"(?<!\d)1[3-9]\d{9}(?!\d)", "[手机号]", text)


class ManualClock:
    """A monotonic clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Harness:
    """One provider pointed at its simulator."""

    provider: str
    server: SimulatorServer
    api_key: str
    base_url: str
    settings: dict[str, Any]

    def model(self, *, api_key: str | None = None, timeout: float = 5.0,
              masker: Callable[[str], str] = simple_masker, **guard: Any) -> GuardedModel:
        adapter = create(self.provider, api_key=api_key or self.api_key, base_url=self.base_url,
                         timeout=timeout, **self.settings)
        return GuardedModel(adapter, masker, timeout=timeout, **guard)

    def script(self, mode: str, **options: Any) -> None:
        response = requests.post(self.server.url + "/_sim/script",
                                 json={"mode": mode, **options}, timeout=5)
        assert response.status_code == 200, response.text

    def received(self) -> list[dict[str, Any]]:
        return requests.get(self.server.url + "/_sim/requests", timeout=5).json()["requests"]

    def reset(self) -> None:
        requests.post(self.server.url + "/_sim/reset", timeout=5).raise_for_status()


@pytest.fixture(scope="module")
def dashscope_server():
    with SimulatorServer(create_dashscope_simulator({DASHSCOPE_KEY})) as server:
        yield server


@pytest.fixture(scope="module")
def openai_server():
    with SimulatorServer(create_openai_simulator({OPENAI_KEY})) as server:
        yield server


@pytest.fixture()
def dashscope(dashscope_server) -> Harness:
    harness = Harness("dashscope", dashscope_server, DASHSCOPE_KEY,
                      dashscope_server.url + "/api/v1", {})
    harness.reset()
    yield harness
    harness.reset()


@pytest.fixture()
def openai_compatible(openai_server) -> Harness:
    harness = Harness("openai_compatible", openai_server, OPENAI_KEY,
                      openai_server.url + "/v1", {"model": "Qwen/Qwen2.5-7B-Instruct"})
    harness.reset()
    yield harness
    harness.reset()


@pytest.fixture(params=["dashscope", "openai_compatible"])
def harness(request) -> Harness:
    return request.getfixturevalue(request.param)
