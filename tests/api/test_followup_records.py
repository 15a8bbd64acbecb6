"""Follow-up visits in the console: classified by the standard's rules, the next due date moves,
the worklist empties; readings and findings are checked with clear errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpTask, ProgrammeEnrolment
from backend.services.followup.due_scan import scan
from tests import factories as f
from tests import followup_support as fs

URL = "/api/v1/admin/followup"
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    org = f.organization("CHC01")
    doctor, colleague = f.staff(org), f.staff(org)
    person = fs.resident(org, birth=date(1960, 5, 1))
    hypertension = fs.enrol(person, doctor, enrolled_on=date(2026, 1, 5))
    diabetes = fs.enrol(person, doctor, programme="type2_diabetes", enrolled_on=date(2026, 1, 5))
    return {"person": person, "doctor": doctor, "hypertension": hypertension,
            "diabetes": diabetes, "doctor_h": f.bearer(f.staff_token(doctor)),
            "colleague_h": f.bearer(f.staff_token(colleague)),
            "admin_h": f.bearer(f.staff_token(f.staff(org, role="hospital_admin")))}


def _visit(client, world, headers="doctor_h", **body):
    body = {"visited_on": "2026-12-01", "method": "clinic",
            "programmes": {"hypertension": {}}, "readings": {"systolic": 132, "diastolic": 82},
            "adherence": "regular", **body}
    return client.post(f"{URL}/residents/{world['person'].external_id}/records", json=body,
                       headers=world[headers])


def _enrolment(row) -> ProgrammeEnrolment:
    db.session.remove()
    return db.session.get(ProgrammeEnrolment, row.id)


def test_a_controlled_visit_books_the_next_in_three_months(client, world):
    response = _visit(client, world, lifestyle={"salt": "light", "cigarettes_per_day": 0},
                      body={"weight_kg": 68.5})
    assert response.status_code == 201, response.json
    record = response.json["data"]
    outcome = record["outcomes"][0]
    assert (outcome["class_name"], outcome["next_followup_on"]) == ("控制满意", "2027-03-01")
    assert outcome["decisions"][0]["rule"] == "routine_followup"
    assert "第三版" in outcome["source"]
    enrolment = _enrolment(world["hypertension"])
    assert (enrolment.next_due_on, enrolment.next_due_rule) == (date(2027, 3, 1),
                                                                "routine_followup")


def test_two_unsatisfactory_visits_in_a_row_refer_the_resident(client, world):
    first = _visit(client, world, visited_on="2026-11-01",
                   readings={"systolic": 152, "diastolic": 92}).json["data"]
    assert first["outcomes"][0]["class_name"] == "控制不满意"
    assert first["next_followup_on"] == "2026-11-15"
    second = _visit(client, world, visited_on="2026-11-15",
                    readings={"systolic": 156, "diastolic": 88}).json["data"]
    outcome = second["outcomes"][0]
    assert outcome["referral"] == "routine"
    assert outcome["next_followup_rule"] == "consecutive_unsatisfactory_referral"


def test_emergency_readings_mean_urgent_referral(client, world):
    record = _visit(client, world, programmes={"hypertension": {}, "type2_diabetes": {}},
                    readings={"systolic": 186, "diastolic": 100, "fasting_glucose": 6.1},
                    symptoms=["severe_headache"]).json["data"]
    assert record["urgent_referral"] is True
    hypertension = next(o for o in record["outcomes"] if o["programme"] == "hypertension")
    assert hypertension["referral"] == "urgent"
    assert {e["rule"] for e in hypertension["emergencies"]} == {
        "bp_crisis", "hypertension_danger_symptom"}


def test_a_visit_closes_the_open_task_and_empties_the_worklist(client, world):
    scan(date(2026, 12, 5))
    tasks = client.get(f"{URL}/tasks", headers=world["doctor_h"]).json["data"]
    assert tasks["total"] == 2 and tasks["items"][0]["resident_name"] == "王建国"
    assert _visit(client, world, programmes={"hypertension": {}, "type2_diabetes": {}},
                  readings={"systolic": 130, "diastolic": 80, "fasting_glucose": 6.2}
                  ).status_code == 201
    assert client.get(f"{URL}/tasks", headers=world["doctor_h"]).json["data"]["total"] == 0
    statuses = db.session.execute(select(FollowUpTask.status)).scalars().all()
    assert statuses == ["done", "done"]


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"readings": {"systolic": 400, "diastolic": 80}}, "readings.systolic", "不在可能的范围内"),
    ({"readings": {"systolic": 80, "diastolic": 90}}, "readings.diastolic", "舒张压应低于收缩压"),
    ({"readings": {"systolic": 130}}, "readings", "舒张压"),
    ({"symptoms": ["hiccups"]}, "symptoms", "hiccups"),
    ({"programmes": {"hypertension": {"complications": ["gout"]}}},
     "programmes.hypertension.complications", "gout"),
    ({"visited_on": "2026-12-06"}, "visited_on", "晚于今天"),
    ({"visited_on": "2025-12-01"}, "visited_on", "纳入管理"),
    ({"method": "letter"}, "method", ""),
])
def test_wrong_visits_are_refused_with_the_field(client, world, change, field, words):
    response = _visit(client, world, **change)
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field and words in response.json["error"]["message"]


def test_a_visit_older_than_the_last_one_is_refused(client, world):
    assert _visit(client, world, visited_on="2026-12-01").status_code == 201
    older = _visit(client, world, visited_on="2026-11-20")
    assert older.status_code == 409 and older.json["error"]["code"] == "later_followup_exists"


def test_a_programme_the_resident_is_not_in_is_refused(client, world):
    db.session.remove()
    enrolment = db.session.get(ProgrammeEnrolment, world["diabetes"].id)
    enrolment.ended_on = date(2026, 6, 1)
    db.session.commit()
    response = _visit(client, world, programmes={"type2_diabetes": {}},
                      readings={"fasting_glucose": 6.0})
    assert response.status_code == 422
    assert response.json["error"]["field"] == "programmes.type2_diabetes"


def test_only_the_residents_doctors_record_and_read(client, world):
    assert _visit(client, world, headers="colleague_h").status_code == 404
    assert _visit(client, world, headers="admin_h").status_code == 403
    assert _visit(client, world).status_code == 201
    url = f"{URL}/residents/{world['person'].external_id}/records"
    assert client.get(url, headers=world["colleague_h"]).status_code == 404
    history = client.get(url, headers=world["admin_h"])
    assert history.status_code == 200 and len(history.json["data"]) == 1
