"""Both real adapters (DashScope SDK, openai client) against their simulators over real HTTP."""

from __future__ import annotations

import json
import logging
import os
import threading
import time

import dashscope as dashscope_sdk
import pytest

from conversations.llm import (
    SLOT_EXTRACTION_SCHEMA,
    GuardedModel,
    LanguageModelInvalidOutput,
    LanguageModelUnavailable,
    create,
    extract_with_model,
    polish_narrative,
)
from simulators.llm import UNKNOWN_CONCEPT_ID, create_dashscope_simulator
from simulators.server import SimulatorServer
from tests.conversations.llm.conftest import (
    ALLOWED,
    DASHSCOPE_KEY,
    ID_NUMBER,
    PHONE,
    ManualClock,
    simple_masker,
)

pytestmark = pytest.mark.slow

UTTERANCE = "我头疼3天了，不发烧，疼到7分，有高血压，对青霉素过敏，对海鲜也过敏。"
DRAFT = "患者3天前无明显诱因出现头痛，呈持续性胀痛，疼痛评分7分，无发热。"


def test_happy_path_extracts_slots_through_the_real_sdk(harness):
    slots = extract_with_model(harness.model(), UTTERANCE, ALLOWED)

    assert slots == {
        "symptoms": [{"concept": "headache", "negated": False},
                     {"concept": "fever", "negated": True}],
        "duration_days": 3,
        "severity": 7,
        "chronic_diseases": ["高血压"],
        "drug_allergies": ["青霉素"],
        "food_allergies": ["海鲜"],
    }
    [received] = harness.received()
    if harness.provider == "dashscope":
        assert received["path"] == "/api/v1/services/aigc/text-generation/generation"
        assert received["body"]["model"] == "qwen-plus"
        assert received["body"]["parameters"]["result_format"] == "message"
        assert received["body"]["parameters"]["response_format"] == {"type": "json_object"}
        messages = received["body"]["input"]["messages"]
    else:
        assert received["path"] == "/v1/chat/completions"
        assert received["body"]["model"] == "Qwen/Qwen2.5-7B-Instruct"
        assert received["body"]["response_format"] == {"type": "json_object"}
        messages = received["body"]["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "- headache：头痛、头疼、脑壳疼" in messages[0]["content"]
    assert UTTERANCE in messages[1]["content"]


def test_complete_text_returns_the_reply(harness):
    harness.script("fixed", content="患者头痛3天。")
    assert harness.model().complete_text("系统", "用户") == "患者头痛3天。"


def test_wrong_key_is_unavailable_with_the_status(harness):
    model = harness.model(api_key="sk-wrong")

    with pytest.raises(LanguageModelUnavailable) as caught:
        model.complete_json("请输出JSON", "头痛", SLOT_EXTRACTION_SCHEMA)
    assert caught.value.status_code == 401
    assert extract_with_model(model, UTTERANCE, ALLOWED) is None


def test_garbage_reply_is_invalid_output_and_extraction_falls_back(harness):
    harness.script("garbage")
    model = harness.model()

    with pytest.raises(LanguageModelInvalidOutput):
        model.complete_json("请输出JSON", "头痛", SLOT_EXTRACTION_SCHEMA)
    assert extract_with_model(model, UTTERANCE, ALLOWED) is None


def test_schema_invalid_reply_is_rejected(harness):
    harness.script("invalid_json_schema")
    model = harness.model()

    with pytest.raises(LanguageModelInvalidOutput, match="does not validate"):
        model.complete_json("请输出JSON", "头痛", SLOT_EXTRACTION_SCHEMA)
    assert extract_with_model(model, UTTERANCE, ALLOWED) is None


def test_unknown_concept_is_rejected_and_logged(harness, caplog):
    harness.script("unknown_concept")

    with caplog.at_level(logging.WARNING, logger="conversations.llm"):
        assert extract_with_model(harness.model(), UTTERANCE, ALLOWED) is None
    [record] = [r for r in caplog.records if "allow-list" in r.getMessage()]
    assert UNKNOWN_CONCEPT_ID in record.getMessage()
    assert harness.provider in record.getMessage()


def test_slow_reply_beyond_the_timeout_is_unavailable(harness):
    harness.script("slow", delay=5)
    model = harness.model(timeout=0.5)

    started = time.monotonic()
    with pytest.raises(LanguageModelUnavailable):
        model.complete_json("请输出JSON", "头痛", SLOT_EXTRACTION_SCHEMA)
    assert time.monotonic() - started < 3
    assert extract_with_model(model, UTTERANCE, ALLOWED) is None


def test_slow_reply_within_the_timeout_is_fine(harness):
    harness.script("slow", delay=0.2)
    assert extract_with_model(harness.model(timeout=5), UTTERANCE, ALLOWED) is not None


@pytest.mark.parametrize(("mode", "status"), [("error500", 500), ("error429", 429)])
def test_server_errors_and_quota_are_unavailable(harness, mode, status):
    harness.script(mode)
    model = harness.model()

    with pytest.raises(LanguageModelUnavailable) as caught:
        model.complete_text("系统", "用户")
    assert caught.value.status_code == status
    assert extract_with_model(model, UTTERANCE, ALLOWED) is None


def test_refused_connection_is_unavailable(harness):
    dead = SimulatorServer(create_dashscope_simulator(set())).start()
    dead.stop()
    base_url = dead.url + ("/api/v1" if harness.provider == "dashscope" else "/v1")
    adapter = create(harness.provider, api_key="k", base_url=base_url, timeout=2,
                     **harness.settings)

    with pytest.raises(LanguageModelUnavailable):
        GuardedModel(adapter, simple_masker, timeout=2).complete_text("系统", "用户")


def test_identifiers_never_reach_the_provider(harness):
    utterance = f"我的身份证{ID_NUMBER}，电话{PHONE}，头疼两天了。"
    model = harness.model()

    slots = extract_with_model(model, utterance, ALLOWED)
    polish_narrative(model, f"患者头痛2天。联系电话{PHONE}。", [f"身份证{ID_NUMBER}"])

    assert slots is not None and slots["symptoms"] == [{"concept": "headache", "negated": False}]
    received = harness.received()
    assert len(received) == 2
    for entry in received:
        sent = entry["raw"] + json.dumps(entry["body"], ensure_ascii=False)
        assert ID_NUMBER not in sent
        assert PHONE not in sent
    assert "[身份证号]" in received[0]["raw"] and "[手机号]" in received[0]["raw"]


def test_circuit_breaker_opens_after_n_failures_and_closes_after_m_seconds(harness):
    clock = ManualClock()
    model = harness.model(failure_threshold=3, cooldown=30, clock=clock)
    harness.script("error500")

    for _ in range(3):
        assert extract_with_model(model, UTTERANCE, ALLOWED) is None
    assert len(harness.received()) == 3
    assert model.circuit_open

    harness.script("ok")
    with pytest.raises(LanguageModelUnavailable, match="circuit open"):
        model.complete_text("系统", "用户")
    clock.advance(29)
    assert extract_with_model(model, UTTERANCE, ALLOWED) is None
    assert len(harness.received()) == 3  # skipped: no request was sent

    clock.advance(1)
    assert not model.circuit_open
    assert extract_with_model(model, UTTERANCE, ALLOWED) is not None
    assert len(harness.received()) == 4
    assert model.consecutive_failures == 0


def test_polish_narrative_round_trip_and_rejection_of_an_added_number(harness):
    model = harness.model()
    assert polish_narrative(model, DRAFT, ["头痛3天", "无发热"]) == DRAFT

    harness.script("fixed", content="患者3天前出现头痛，伴体温38.5℃。")
    assert polish_narrative(model, DRAFT, ["头痛3天"]) is None

    harness.script("fixed", content="患者3天前出现头痛，伴咳嗽。")
    assert polish_narrative(model, DRAFT, [], symptom_terms=["咳嗽", "头痛"]) is None

    harness.script("fixed", content="   ")
    assert polish_narrative(model, DRAFT, []) is None


def test_json_mode_without_the_word_json_is_refused_like_the_real_service(harness):
    with pytest.raises(LanguageModelUnavailable) as caught:
        harness.model().complete_json("抽取", "头痛", SLOT_EXTRACTION_SCHEMA)
    assert caught.value.status_code == 400


def test_dashscope_base_url_is_per_instance_and_leaves_the_sdk_globals_alone(dashscope):
    """Two DashScope models on different endpoints, used concurrently, never touch
    dashscope.base_http_api_url / api_key or the environment."""
    before = (dashscope_sdk.base_http_api_url, dashscope_sdk.api_key,
              os.environ.get("DASHSCOPE_HTTP_BASE_URL"))
    with SimulatorServer(create_dashscope_simulator({"sk-other"})) as other:
        first = dashscope.model()
        second = GuardedModel(
            create("dashscope", api_key="sk-other", base_url=other.url + "/api/v1", timeout=5),
            simple_masker)
        results: dict[str, object] = {}

        def run(name: str, model: GuardedModel) -> None:
            results[name] = [extract_with_model(model, UTTERANCE, ALLOWED) for _ in range(5)]

        threads = [threading.Thread(target=run, args=("first", first)),
                   threading.Thread(target=run, args=("second", second))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

        assert all(r is not None for r in results["first"] + results["second"])
        assert len(dashscope.received()) == 5
        assert len(other.app.extensions["llm_simulator"].requests()) == 5
    assert (dashscope_sdk.base_http_api_url, dashscope_sdk.api_key,
            os.environ.get("DASHSCOPE_HTTP_BASE_URL")) == before
    assert dashscope_sdk.api_key != DASHSCOPE_KEY
