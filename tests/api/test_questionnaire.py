"""The between-visit questionnaire: the resident answers the standard's items in the
mini-program and is told at once what they mean (urgent: 120, and the doctor sees it today);
the doctor reviews it, and only an accepted one counts as a follow-up, classified by the same
rules. Answers are checked with clear Chinese errors; nobody reaches another's questionnaire."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpRecord, FollowUpTask, ProgrammeEnrolment
from tests import factories as f
from tests import followup_support as fs

NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09:00 in China
TODAY = date(2026, 12, 5)
URL = "/api/v1/mp/followup/questionnaire"
CALM = {"symptoms": [], "adherence": "regular", "hypoglycaemia": "none", "salt": "light",
        "cigarettes_per_day": 0, "exercise_times_per_week": 5, "exercise_minutes": 30}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    world = fs.resident_with_account()
    person, doctor = world["person"], world["doctor"]
    world["hypertension"] = fs.enrol(person, doctor, next_due_on=date(2027, 2, 1))
    world["diabetes"] = fs.enrol(person, doctor, programme="type2_diabetes",
                                 next_due_on=date(2027, 2, 1))
    world["patient"] = str(world["profile"].external_id)
    return world


def _answer(client, world, answers, readings=None, who="me"):
    return client.post(URL, headers=world[who], json={
        "patient_id": world["patient"], "answers": answers, "readings": readings or {}})


def test_the_questions_follow_the_residents_programmes(client, world):
    form = client.get(URL, headers=world["me"], query_string={"patient_id": world["patient"]})
    assert form.status_code == 200, form.json
    data = form.json["data"]
    assert data["readings_needed"] == ["diastolic", "fasting_glucose", "systolic"]
    questions = {q["id"]: q for q in data["questions"]}
    assert "hypoglycaemia" in questions and "staple_grams_per_day" in questions
    symptoms = {o["code"] for o in questions["symptoms"]["options"]}
    assert {"severe_headache", "acetone_breath"} <= symptoms
    assert "随访服务记录表" in data["source"]


def test_a_calm_questionnaire_waits_for_the_doctor_and_then_counts(client, world):
    sent = _answer(client, world, CALM, {"systolic": 128, "diastolic": 78,
                                         "fasting_glucose": 6.1})
    assert sent.status_code == 201, sent.json
    data = sent.json["data"]
    assert data["questionnaire"]["provisional"]["classes"] == {
        "hypertension": "控制满意", "type2_diabetes": "控制满意"}
    assert data["questionnaire"]["status"] == "submitted" and not data["questionnaire"]["urgent"]
    assert "家庭医生看过以后" in data["advice"]["text"]
    assert db.session.execute(select(FollowUpRecord)).first() is None  # not yet a follow-up
    waiting = client.get("/api/v1/admin/followup/questionnaires", headers=world["doctor_h"])
    [item] = waiting.json["data"]
    reviewed = client.post(f"/api/v1/admin/followup/questionnaires/{item['id']}/review",
                           headers=world["doctor_h"], json={"decision": "accept"})
    assert reviewed.status_code == 200, reviewed.json
    assert reviewed.json["data"]["status"] == "accepted"
    db.session.remove()
    record = db.session.execute(select(FollowUpRecord)).scalar_one()
    assert (record.method, record.visited_on, record.adherence) == ("questionnaire", TODAY,
                                                                    "regular")
    assert db.session.get(ProgrammeEnrolment, world["hypertension"].id).next_due_on == \
        date(2027, 3, 5)
    again = client.post(f"/api/v1/admin/followup/questionnaires/{item['id']}/review",
                        headers=world["doctor_h"], json={"decision": "accept"})
    assert again.status_code == 409


def test_an_urgent_answer_says_call_120_and_puts_the_resident_on_todays_worklist(client,
                                                                                  world):
    sent = _answer(client, world, {**CALM, "symptoms": ["severe_headache", "vomiting"]},
                   {"systolic": 186, "diastolic": 112, "fasting_glucose": 7.0})
    assert sent.status_code == 201, sent.json
    data = sent.json["data"]
    assert data["questionnaire"]["urgent"] is True and "120" in data["advice"]["text"]
    db.session.remove()
    due = {t.due_on for t in db.session.execute(select(FollowUpTask).where(
        FollowUpTask.status == "open")).scalars()}
    assert due == {TODAY}


def test_home_readings_of_the_last_days_stand_in_and_none_is_a_clear_error(client, world):
    missing = _answer(client, world, CALM)
    assert missing.status_code == 422
    assert missing.json["error"]["field"] == "readings.diastolic"
    assert "请先测一次低压" in missing.json["error"]["message"]
    client.post("/api/v1/mp/vitals", headers=world["me"], json={
        "patient_id": world["patient"], "kind": "blood_pressure", "systolic": 150,
        "diastolic": 95})
    client.post("/api/v1/mp/vitals", headers=world["me"], json={
        "patient_id": world["patient"], "kind": "glucose", "glucose": 6.5, "timing": "fasting"})
    sent = _answer(client, world, CALM)
    assert sent.status_code == 201, sent.json
    questionnaire = sent.json["data"]["questionnaire"]
    assert questionnaire["readings"]["values"]["systolic"] == 150
    assert questionnaire["provisional"]["classes"]["hypertension"] == "控制不满意"


@pytest.mark.parametrize(("answers", "field", "words"), [
    ({**CALM, "adherence": "sometimes"}, "answers.adherence", "请从"),
    ({k: v for k, v in CALM.items() if k != "adherence"}, "answers.adherence", "请回答"),
    ({**CALM, "cigarettes_per_day": 500}, "answers.cigarettes_per_day", "0到100"),
    ({**CALM, "symptoms": ["toothache"]}, "answers.symptoms", "toothache"),
    ({**CALM, "favourite_food": "饺子"}, "answers.favourite_food", "没有这个问题"),
])
def test_answers_outside_the_questionnaire_are_refused_in_plain_words(client, world, answers,
                                                                      field, words):
    sent = _answer(client, world, answers, {"systolic": 128, "diastolic": 78,
                                            "fasting_glucose": 6.1})
    assert sent.status_code == 422
    assert sent.json["error"]["field"] == field and words in sent.json["error"]["message"]


def test_returned_with_a_note_it_does_not_count(client, world):
    _answer(client, world, CALM, {"systolic": 128, "diastolic": 78, "fasting_glucose": 6.1})
    [item] = client.get("/api/v1/admin/followup/questionnaires",
                        headers=world["doctor_h"]).json["data"]
    url = f"/api/v1/admin/followup/questionnaires/{item['id']}/review"
    assert client.post(url, headers=world["doctor_h"],
                       json={"decision": "return"}).status_code == 422  # no reason given
    note = "血压是上个月量的，请今天再量一次。"
    returned = client.post(url, headers=world["doctor_h"],
                           json={"decision": "return", "note": note})
    assert returned.json["data"]["status"] == "returned"
    assert db.session.execute(select(FollowUpRecord)).first() is None


def test_nobody_else_reaches_the_questionnaire(client, world):
    assert _answer(client, world, CALM, {"systolic": 128, "diastolic": 78,
                                         "fasting_glucose": 6.1}, who="stranger"
                   ).status_code == 404
    _answer(client, world, CALM, {"systolic": 128, "diastolic": 78, "fasting_glucose": 6.1})
    other_doctor = f.bearer(f.staff_token(f.staff(f.organization("CHC99"))))
    assert client.get("/api/v1/admin/followup/questionnaires",
                      headers=other_doctor).json["data"] == []
    [item] = client.get("/api/v1/admin/followup/questionnaires",
                        headers=world["doctor_h"]).json["data"]
    assert client.post(f"/api/v1/admin/followup/questionnaires/{item['id']}/review",
                       headers=other_doctor, json={"decision": "accept"}).status_code == 404
