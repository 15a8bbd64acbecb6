"""With PORTRAIT_REPHRASE a language model may say portrait statements more plainly: checked
words are offered to the doctor, words that change a number are refused, no identifier leaves."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from backend.auth import Principal
from backend.extensions import db
from backend.models import PatientProfile, PrincipalKind
from backend.services.portraits import service
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
                    LLM_TIMEOUT_SECONDS=2, PORTRAIT_REPHRASE=True)


def _draft(llm_app, qwen, reply: str) -> dict:
    requests.post(f"{qwen.url}/_sim/script", timeout=5, json={"mode": "fixed", "content": reply})
    with llm_app.app_context():
        rs.hospital()
        patient = rs.zhang(f.account())
        handle(rs.fixture("lipids_glucose"))
        doctor = f.staff(f.organization())
        f.sign(doctor, patient)
        principal = Principal(kind=PrincipalKind.STAFF, session_id=0, staff_id=doctor.id,
                              role=doctor.role, organization_id=doctor.organization_id,
                              actor_external_id=str(doctor.external_id))
        profile_id = db.session.execute(select(PatientProfile.external_id)).scalar_one()
        portrait = service.draft(principal, profile_id)
        return {s["key"]: s for s in portrait.statements}


def test_checked_words_are_offered_and_nothing_identifying_leaves(llm_app, qwen):
    plain = "您的甘油三酯是2.10mmol/L，有点偏高。"
    statements = _draft(llm_app, qwen, plain)
    tg = statements["problem:TG"]
    assert tg["plain"] == plain and tg["rephrased"] is True
    assert tg["text"].startswith("甘油三酯 2.10mmol/L")  # the rules' words are kept beside
    sent = json.dumps(requests.get(f"{qwen.url}/_sim/requests", timeout=5).json(),
                      ensure_ascii=False)
    assert rs.ZHANG_ID not in sent and "张伟" not in sent and rs.ZHANG_MRN not in sent


def test_words_that_change_a_number_are_refused(llm_app, qwen):
    statements = _draft(llm_app, qwen, "您的甘油三酯是3.5mmol/L，要吃药。")
    assert all(s["rephrased"] is False and s["plain"] == s["text"]
               for s in statements.values())
