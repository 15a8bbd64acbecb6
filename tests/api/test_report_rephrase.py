"""With REPORT_REPHRASE a model may say an explanation more warmly; checked words replace the
plain ones, anything else leaves them; no identifier reaches the model."""

from __future__ import annotations

import json

import pytest
import requests

from backend.services.reports.hl7_inbound import handle
from simulators.llm import create_openai_simulator
from simulators.server import SimulatorServer
from tests import factories as f
from tests import report_support as rs
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
                    LLM_TIMEOUT_SECONDS=2, REPORT_REPHRASE=True)


def _open_hgb(llm_app, qwen, reply: str):
    requests.post(f"{qwen.url}/_sim/script", timeout=5, json={"mode": "fixed", "content": reply})
    with llm_app.app_context():
        rs.hospital()
        account = f.account()
        patient = rs.zhang(account)
        handle(rs.fixture("cbc"))
        headers = f.bearer(f.account_token(account))
        patient_id = str(patient.external_id)
    client = llm_app.test_client()
    [report] = client.get(f"/api/v1/mp/reports?patient_id={patient_id}",
                          headers=headers).json["data"]
    detail = client.get(f"/api/v1/mp/reports/{report['id']}", headers=headers).json["data"]
    return next(r for r in detail["results"] if r["code"] == "HGB"), detail


def test_checked_words_replace_the_plain_ones_and_no_identifier_leaves(llm_app, qwen):
    warm = "血红蛋白是运送氧气的。您这次是118 g/L，比参考范围偏低，常见原因是缺铁或失血。"
    hgb, detail = _open_hgb(llm_app, qwen, warm)
    assert hgb["text"] == warm and hgb["rephrased"] is True
    assert hgb["advice"] == "下次看病时带给医生看。"  # advice is never the model's
    assert all(not r["rephrased"] for r in detail["results"] if r["level"] == "normal")
    sent = json.dumps(requests.get(f"{qwen.url}/_sim/requests", timeout=5).json(),
                      ensure_ascii=False)
    assert rs.ZHANG_ID not in sent and "张伟" not in sent and rs.ZHANG_MRN not in sent


def test_words_that_change_a_number_are_refused(llm_app, qwen):
    hgb, _ = _open_hgb(llm_app, qwen, "您这次是108 g/L，偏低，可能是贫血。")
    assert hgb["rephrased"] is False and hgb["text"].startswith("红细胞里运送氧气的蛋白")
