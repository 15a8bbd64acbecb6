"""A resident's own readings: checked with clear Chinese errors, assessed at once (urgent → 120
now, and the family doctor's follow-up moves to today), charted against their target band;
nobody reaches another account's resident."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpTask, ProgrammeEnrolment
from backend.services.followup.due_scan import scan
from tests import factories as f
from tests import followup_support as fs

NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09:00 in China
TODAY = date(2026, 12, 5)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    world = fs.resident_with_account()
    person, doctor = world["person"], world["doctor"]
    world["hypertension"] = fs.enrol(person, doctor, next_due_on=date(2027, 2, 1),
                                     plan={"targets": {"systolic_below": 135}})
    world["diabetes"] = fs.enrol(person, doctor, programme="type2_diabetes",
                                 next_due_on=date(2027, 2, 1))
    world["colleague_h"] = f.bearer(f.staff_token(f.staff(world["org"])))
    return world


def _bp(client, world, systolic, diastolic, who="me", **extra):
    return client.post("/api/v1/mp/vitals", headers=world[who], json={
        "patient_id": str(world["profile"].external_id), "kind": "blood_pressure",
        "systolic": systolic, "diastolic": diastolic, **extra})


def _open_tasks():
    db.session.remove()
    return sorted(db.session.execute(select(FollowUpTask.due_on, FollowUpTask.due_rule).where(
        FollowUpTask.status == "open")).all())


def test_an_urgent_reading_says_call_120_and_tells_the_doctor_today(client, world):
    response = _bp(client, world, 186, 112, pulse=88)
    assert response.status_code == 201, response.json
    data = response.json["data"]
    assert data["urgent"] is True and "120" in data["advice"]["text"]
    assert data["emergencies"] and data["doctor_told"] is True
    assert _open_tasks() == [(TODAY, "urgent_home_reading"), (TODAY, "urgent_home_reading")]
    worklist = client.get("/api/v1/admin/followup/tasks", headers=world["doctor_h"]).json["data"]
    assert worklist["total"] == 2 and worklist["items"][0]["due_rule"] == "urgent_home_reading"
    db.session.remove()
    assert db.session.get(ProgrammeEnrolment, world["hypertension"].id).next_due_on == TODAY


def test_a_low_glucose_with_symptoms_is_urgent_too(client, world):
    response = client.post("/api/v1/mp/vitals", headers=world["me"], json={
        "patient_id": str(world["profile"].external_id), "kind": "glucose", "glucose": 3.2,
        "timing": "random", "symptoms": ["sweating", "palpitations"]})
    assert response.status_code == 201
    assert response.json["data"]["level"] == "urgent"


def test_a_reading_above_the_personal_target_is_high_and_a_third_moves_the_follow_up(
        client, world):
    first = _bp(client, world, 136, 82).json["data"]
    assert (first["level"], first["doctor_told"]) == ("high", False)
    assert first["advice"]["title"] == "数值偏高"
    assert _bp(client, world, 128, 80).json["data"]["level"] == "normal"
    _bp(client, world, 142, 86)
    assert _open_tasks() == []
    third = _bp(client, world, 139, 84).json["data"]
    assert third["doctor_told"] is True
    assert _open_tasks() == [(TODAY, "repeated_high_home_readings")] * 2


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kind": "blood_pressure", "systolic": 400, "diastolic": 80}, "systolic", "不在可能的范围内"),
    ({"kind": "blood_pressure", "systolic": 120, "diastolic": 130}, "diastolic",
     "舒张压应低于收缩压"),
    ({"kind": "blood_pressure", "systolic": 120}, "systolic", "请填写高压和低压"),
    ({"kind": "blood_pressure", "systolic": 120, "diastolic": 80, "pulse": 400}, "pulse",
     "心率"),
    ({"kind": "glucose", "glucose": 0.1, "timing": "fasting"}, "glucose", "空腹血糖"),
    ({"kind": "glucose", "glucose": 6.0}, "glucose", "空腹还是饭后"),
    ({"kind": "blood_pressure", "systolic": 120, "diastolic": 80,
      "measured_at": "2026-12-06T09:00:00+08:00"}, "measured_at", "不能晚于现在"),
    ({"kind": "blood_pressure", "systolic": 120, "diastolic": 80,
      "measured_at": "2026-10-01T09:00:00+08:00"}, "measured_at", "30天内"),
    ({"kind": "cholesterol", "systolic": 120, "diastolic": 80}, "kind", ""),
])
def test_wrong_values_are_refused_in_plain_chinese(client, world, body, field, words):
    response = client.post("/api/v1/mp/vitals", headers=world["me"], json={
        "patient_id": str(world["profile"].external_id), **body})
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert words in response.json["error"]["message"]


def test_history_comes_with_the_target_band(client, world):
    _bp(client, world, 132, 80, measured_at=(NOW - timedelta(days=3)).isoformat())
    _bp(client, world, 128, 78)
    history = client.get("/api/v1/mp/vitals", headers=world["me"], query_string={
        "patient_id": str(world["profile"].external_id), "days": 7}).json["data"]
    assert [r["readings"]["systolic"] for r in history["readings"]] == [132, 128]
    assert history["targets"]["systolic_below"] == 135  # the plan's, stricter than 140
    assert history["targets"]["fasting_glucose_below"] == 7.0
    assert history["targets"]["glucose_above"] == 3.9


def test_other_accounts_and_other_doctors_are_refused(client, world):
    assert _bp(client, world, 120, 80, who="stranger").status_code == 404
    assert client.get("/api/v1/mp/vitals", headers=world["stranger"], query_string={
        "patient_id": str(world["profile"].external_id)}).status_code == 404
    _bp(client, world, 150, 95)
    url = f"/api/v1/admin/followup/residents/{world['person'].external_id}/readings"
    assert client.get(url, headers=world["colleague_h"]).status_code == 404
    seen = client.get(url, headers=world["doctor_h"]).json["data"]["readings"]
    assert seen[0]["level"] == "high" and seen[0]["findings"]["above_target"]


def test_a_person_not_in_a_programme_is_told_to_ask_the_doctor(client, world):
    acct = f.account()
    other = f.profile(acct, name="李四")
    token = f.bearer(f.account_token(acct))
    response = client.post("/api/v1/mp/vitals", headers=token, json={
        "patient_id": str(other.external_id), "kind": "blood_pressure", "systolic": 120,
        "diastolic": 80})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_enrolled"


def test_an_urgent_reading_marks_a_follow_up_already_due(client, world):
    db.session.remove()
    for row in (world["hypertension"], world["diabetes"]):
        db.session.get(ProgrammeEnrolment, row.id).next_due_on = date(2026, 12, 1)
    db.session.commit()
    scan(TODAY)
    assert _bp(client, world, 182, 100).json["data"]["doctor_told"] is True
    assert _open_tasks() == [(date(2026, 12, 1), "urgent_home_reading")] * 2
