"""An OpenAI-compatible model (self-hosted Qwen) helps with what the rules did not understand:
identifiers are masked before they leave, and a model failure changes nothing for the patient."""

from __future__ import annotations

import json
from datetime import date

import pytest
import requests

from simulators.llm import create_openai_simulator
from simulators.server import SimulatorServer
from tests import factories as f
from tests.conftest import make_app

KEY = "sk-test-qwen"


@pytest.fixture(scope="module")
def qwen():
    with SimulatorServer(create_openai_simulator({KEY})) as server:
        yield server


@pytest.fixture()
def llm_app(simulators, app, qwen):
    requests.post(f"{qwen.url}/_sim/reset", timeout=5)
    return make_app(simulators, LLM_PROVIDER="openai_compatible", LLM_API_KEY=KEY,
                    LLM_MODEL="qwen2.5-7b-instruct", LLM_BASE_URL=f"{qwen.url}/v1",
                    LLM_TIMEOUT_SECONDS=2)


def _conversation(llm_app):
    with llm_app.app_context():
        acct = f.account()
        profile = f.profile(acct, birth=date(1958, 3, 1))
        headers = f.bearer(f.account_token(acct))
        profile_id = str(profile.external_id)
    client = llm_app.test_client()
    started = client.post("/api/v1/mp/conversations", headers=headers,
                          json={"patient_id": profile_id, "mode": "triage"})
    assert started.status_code == 201, started.json
    return client, headers, started.json["data"]["id"]


def test_model_fills_a_symptom_the_rules_missed_and_never_sees_identifiers(llm_app, qwen):
    reply = {"symptoms": [{"concept": "dizziness", "negated": False}], "duration_days": 2,
             "severity": None, "chronic_diseases": [], "drug_allergies": [],
             "food_allergies": []}
    requests.post(f"{qwen.url}/_sim/script", timeout=5,
                  json={"mode": "fixed", "content": json.dumps(reply)})
    client, headers, conversation = _conversation(llm_app)
    text = "整个人怪怪的，我电话13812345678，身份证110105198203150033"
    turn = client.post(f"/api/v1/mp/conversations/{conversation}/messages", headers=headers,
                       json={"text": text}).json["data"]
    assert turn["question"] != "chief_complaint.symptom"
    sent = json.dumps(requests.get(f"{qwen.url}/_sim/requests", timeout=5).json(),
                      ensure_ascii=False)
    assert "13812345678" not in sent and "110105198203150033" not in sent
    assert "整个人怪怪的" in sent


def test_a_failing_model_leaves_the_rule_engine_in_charge(llm_app, qwen):
    requests.post(f"{qwen.url}/_sim/script", timeout=5, json={"mode": "error500"})
    client, headers, conversation = _conversation(llm_app)
    unclear = client.post(f"/api/v1/mp/conversations/{conversation}/messages", headers=headers,
                          json={"text": "人不太舒服，具体也说不清楚"}).json["data"]
    assert unclear["question"] == "chief_complaint.symptom"
    clear = client.post(f"/api/v1/mp/conversations/{conversation}/messages", headers=headers,
                        json={"text": "头疼两天了"})
    assert clear.status_code == 200
    assert clear.json["data"]["question"] != "chief_complaint.symptom"


def test_an_unknown_provider_or_missing_key_stops_start_up(simulators, app):
    from backend.config import ConfigError

    with pytest.raises(ConfigError, match="LLM_PROVIDER"):
        make_app(simulators, LLM_PROVIDER="gpt-magic")
    with pytest.raises(ConfigError, match="LLM_API_KEY"):
        make_app(simulators, LLM_PROVIDER="dashscope")
