"""A resident's between-visit questionnaire reaches the family doctor's worklist (urgent ones
marked), and the doctor accepts it as a follow-up or returns it with a note, with CSRF."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpQuestionnaire, FollowUpRecord
from tests import followup_support as fs
from tests.console.console_support import csrf_token, login

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
ANSWERS = {"symptoms": [], "adherence": "regular", "salt": "light"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx, client):
    world = fs.resident_with_account("CHC21")
    world["doctor"].username = "doctor.qian"
    db.session.commit()
    fs.enrol(world["person"], world["doctor"], next_due_on=date(2027, 2, 1))
    return world


def _answer(client, world, systolic, symptoms=()):
    sent = client.post("/api/v1/mp/followup/questionnaire", headers=world["me"], json={
        "patient_id": str(world["profile"].external_id),
        "answers": {**ANSWERS, "symptoms": list(symptoms)},
        "readings": {"systolic": systolic, "diastolic": 80}})
    assert sent.status_code == 201, sent.json
    return sent.json["data"]["questionnaire"]["id"]


def test_the_doctor_sees_it_on_the_worklist_and_accepts_it(client, world):
    calm = _answer(client, world, 128)
    login(client, "doctor.qian")
    page = client.get("/console/worklist").get_data(as_text=True)
    assert "居民问卷待审核" in page and f"questionnaire-{calm}" in page
    assert "高血压控制满意" in page
    done = client.post(f"/console/followup/questionnaires/{calm}/review", data={
        "csrf_token": csrf_token(page), "decision": "accept", "note": ""},
        follow_redirects=True)
    assert "王建国的问卷已采用为一次随访" in done.get_data(as_text=True)
    db.session.remove()
    record = db.session.execute(select(FollowUpRecord)).scalar_one()
    assert record.method == "questionnaire"


def test_an_urgent_one_is_marked_and_returning_needs_a_reason(client, world):
    urgent = _answer(client, world, 186, symptoms=["severe_headache"])
    login(client, "doctor.qian")
    page = client.get("/console/worklist").get_data(as_text=True)
    assert "危急情况" in page
    refused = client.post(f"/console/followup/questionnaires/{urgent}/review", data={
        "csrf_token": csrf_token(page), "decision": "return", "note": ""},
        follow_redirects=True)
    assert "退回时请写明原因" in refused.get_data(as_text=True)
    no_csrf = client.post(f"/console/followup/questionnaires/{urgent}/review",
                          data={"decision": "return", "note": "请今天来社区"})
    assert no_csrf.status_code in (400, 403)
    client.post(f"/console/followup/questionnaires/{urgent}/review", data={
        "csrf_token": csrf_token(page), "decision": "return", "note": "请今天来社区复测血压。"})
    db.session.remove()
    row = db.session.execute(select(FollowUpQuestionnaire)).scalar_one()
    assert (row.status, row.review_note) == ("returned", "请今天来社区复测血压。")
