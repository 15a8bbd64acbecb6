"""The console's chronic-disease programmes: enrol a resident, keep their plan, who may see whom."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditEntry
from tests import factories as f
from tests import followup_support as fs

URL = "/api/v1/admin/followup"
PLAN = {"medications": [{"name": "氨氯地平", "dose": "5mg", "times": ["07:30"]}],
        "targets": {"systolic_below": 130, "diastolic_below": 80},
        "monitoring": {"blood_pressure_per_week": 3}}


@pytest.fixture()
def world(ctx):
    org, other_org = f.organization("CHC01"), f.organization("CHC02")
    doctor, colleague = f.staff(org), f.staff(org)
    admin, outsider = f.staff(org, role="hospital_admin"), f.staff(other_org,
                                                                  role="hospital_admin")
    person = fs.resident(org)
    return {"org": org, "doctor": doctor, "colleague": colleague, "person": person,
            "doctor_h": f.bearer(f.staff_token(doctor)),
            "colleague_h": f.bearer(f.staff_token(colleague)),
            "admin_h": f.bearer(f.staff_token(admin)),
            "outsider_h": f.bearer(f.staff_token(outsider)),
            "auditor_h": f.bearer(f.staff_token(f.staff(org, role="group_auditor")))}


def _enrol(client, world, headers="admin_h", **body):
    body = {"programme": "hypertension", "diagnosed_on": "2019-05-01",
            "doctor_id": str(world["doctor"].external_id), "management_level": 2,
            "plan": PLAN, **body}
    return client.post(f"{URL}/residents/{world['person'].external_id}/enrolments", json=body,
                       headers=world[headers])


def test_an_admin_enrols_a_resident_with_a_doctor_and_a_plan(client, world):
    response = _enrol(client, world)
    assert response.status_code == 201, response.json
    enrolment = response.json["data"]
    assert enrolment["doctor_name"] == "测试医生"
    assert enrolment["management_level_name"] == "二级管理"
    assert enrolment["plan"]["medications"][0]["times"] == ["07:30"]
    assert enrolment["next_due_rule"] == "first_followup"
    # the responsible doctor now sees the resident, with identifiers masked
    listed = client.get(f"{URL}/residents?programme=hypertension",
                        headers=world["doctor_h"]).json["data"]
    assert listed["total"] == 1
    assert "*" in listed["items"][0]["document_number"] and "*" in listed["items"][0]["phone"]
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "followup.enrol" in actions and "followup.resident.list" in actions


def test_one_open_enrolment_per_programme_but_both_programmes_allowed(client, world):
    assert _enrol(client, world).status_code == 201
    again = _enrol(client, world)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_enrolled"
    assert _enrol(client, world, programme="type2_diabetes").status_code == 201
    person = client.get(f"{URL}/residents/{world['person'].external_id}",
                        headers=world["admin_h"]).json["data"]
    assert sorted(e["programme"] for e in person["enrolments"]) == ["hypertension",
                                                                    "type2_diabetes"]


@pytest.mark.parametrize(("change", "field"), [
    ({"diagnosed_on": "2030-01-01"}, "diagnosed_on"),
    ({"diagnosed_on": "1950-01-01"}, "diagnosed_on"),
    ({"programme": "asthma"}, "programme"),
    ({"management_level": 4}, "management_level"),
    ({"plan": {"medications": [{"name": "二甲双胍", "dose": "0.5g", "times": ["25:00"]}]}},
     "plan.medications.0.times.0"),
    ({"plan": {"medications": [{"name": "二甲双胍", "dose": "0.5g",
                                "times": ["08:00", "08:00"]}]}}, "plan.medications.0.times"),
    ({"plan": {"targets": {"systolic_below": 60}}}, "plan.targets.systolic_below"),
    ({"plan": {"dose": "5mg"}}, "plan.dose"),
])
def test_a_wrong_enrolment_is_refused_with_its_field(client, world, change, field):
    response = _enrol(client, world, **change)
    assert response.status_code == 422
    assert response.json["error"]["field"] == field


def test_the_doctor_must_be_a_family_doctor_of_the_residents_centre(client, world):
    stranger = f.staff(f.organization("CHC03"))
    response = _enrol(client, world, doctor_id=str(stranger.external_id))
    assert response.status_code == 422 and response.json["error"]["field"] == "doctor_id"


def test_a_family_doctor_enrols_only_for_themselves(client, world):
    fs.enrol(world["person"], world["doctor"], programme="type2_diabetes")
    response = _enrol(client, world, headers="doctor_h",
                      doctor_id=str(world["colleague"].external_id))
    assert response.status_code == 422 and response.json["error"]["field"] == "doctor_id"
    response = _enrol(client, world, headers="doctor_h", doctor_id=None)
    assert response.status_code == 422  # null is not a doctor
    body_without = _enrol(client, world, headers="doctor_h")
    assert body_without.status_code == 201


def test_the_plan_changes_and_the_enrolment_ends(client, world):
    enrolment = _enrol(client, world).json["data"]
    new_plan = {**PLAN, "medications": [{"name": "缬沙坦", "dose": "80mg",
                                          "times": ["08:00", "20:00"]}]}
    changed = client.patch(f"{URL}/enrolments/{enrolment['id']}",
                           json={"plan": new_plan, "management_level": 3},
                           headers=world["doctor_h"])
    assert changed.status_code == 200, changed.json
    assert changed.json["data"]["plan"]["medications"][0]["times"] == ["08:00", "20:00"]
    ended = client.post(f"{URL}/enrolments/{enrolment['id']}/end", json={"reason": "moved_away"},
                        headers=world["admin_h"])
    assert ended.status_code == 200 and ended.json["data"]["ended_on"] is not None
    # once ended, the doctor is no longer responsible and the plan cannot change
    assert client.patch(f"{URL}/enrolments/{enrolment['id']}", json={"management_level": 1},
                        headers=world["admin_h"]).status_code == 404
    assert client.get(f"{URL}/residents/{world['person'].external_id}",
                      headers=world["doctor_h"]).status_code == 404
    assert _enrol(client, world).status_code == 409  # the same day: one enrolment a day


def test_residents_of_others_are_not_found(client, world):
    enrolment = _enrol(client, world).json["data"]
    resident_url = f"{URL}/residents/{world['person'].external_id}"
    assert client.get(resident_url, headers=world["colleague_h"]).status_code == 404
    assert client.get(resident_url, headers=world["outsider_h"]).status_code == 404
    assert client.get(resident_url, headers=world["auditor_h"]).status_code == 403
    assert client.patch(f"{URL}/enrolments/{enrolment['id']}", json={"management_level": 1},
                        headers=world["colleague_h"]).status_code == 404
    assert client.post(f"{URL}/enrolments/{enrolment['id']}/end", json={"reason": "died"},
                       headers=world["outsider_h"]).status_code == 404
    assert client.get(f"{URL}/residents", headers=world["colleague_h"]).json["data"]["total"] == 0
    assert client.get(f"{URL}/residents", headers=world["outsider_h"]).json["data"]["total"] == 0


def test_a_signed_patient_becomes_a_resident_once(client, world):
    profile = f.profile(f.account(), name="周九", birth=date(1958, 7, 7))
    f.sign(world["doctor"], profile)
    first = client.post(f"{URL}/residents", json={"patient_id": str(profile.external_id)},
                        headers=world["doctor_h"])
    assert first.status_code == 201, first.json
    assert first.json["data"]["source"] == "contract" and first.json["data"]["name"] == "周九"
    second = client.post(f"{URL}/residents", json={"patient_id": str(profile.external_id)},
                         headers=world["doctor_h"])
    assert second.json["data"]["id"] == first.json["data"]["id"]
    # signed to the doctor, so visible before any enrolment; not to a colleague
    assert client.get(f"{URL}/residents/{first.json['data']['id']}",
                      headers=world["doctor_h"]).status_code == 200
    assert client.post(f"{URL}/residents", json={"patient_id": str(profile.external_id)},
                       headers=world["colleague_h"]).status_code == 404
