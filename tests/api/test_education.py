"""Health education follows the moment: an abnormal reading, an enrolment, a follow-up's class;
never the same item twice; pushed through the outbox; reads tracked; only one's own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import EducationDelivery, PatientMessage
from content.library import default_library
from tests import followup_support as fs

NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    world = fs.resident_with_account()
    fs.enrol(world["person"], world["doctor"], programme="type2_diabetes",
             next_due_on=date(2027, 2, 1))
    return world


def _glucose(client, world, value, timing="fasting"):
    return client.post("/api/v1/mp/vitals", headers=world["me"], json={
        "patient_id": str(world["profile"].external_id), "kind": "glucose", "glucose": value,
        "timing": timing})


def test_a_low_glucose_brings_hypoglycaemia_advice_pushed_and_listed(client, world):
    data = _glucose(client, world, 3.5).json["data"]
    assert data["urgent"] is True
    [item] = data["education"]
    assert default_library().items[item["id"]].findings & {"glucose_low", "glucose_urgent"}
    assert item["source"]
    messages = db.session.execute(select(PatientMessage.kind, PatientMessage.data)).all()
    assert messages == [("education", {"title": item["title"], "name": "王建国"})]
    listed = client.get("/api/v1/mp/education", headers=world["me"], query_string={
        "patient_id": str(world["profile"].external_id)}).json["data"]
    assert [d["item"]["id"] for d in listed] == [item["id"]] and listed[0]["read_at"] is None


def test_a_normal_reading_brings_nothing_and_one_a_day_at_most(client, world):
    assert _glucose(client, world, 6.0).json["data"]["education"] == []
    assert len(_glucose(client, world, 8.2).json["data"]["education"]) == 1
    assert _glucose(client, world, 8.4).json["data"]["education"] == []  # the day's cap


def test_reading_is_tracked_once_and_only_for_ones_own(client, world):
    _glucose(client, world, 8.2)
    delivery = db.session.execute(select(EducationDelivery)).scalar_one()
    url = f"/api/v1/mp/education/{delivery.external_id}/read"
    assert client.post(url, headers=world["stranger"]).status_code == 404
    first = client.post(url, headers=world["me"]).json["data"]["read_at"]
    assert first is not None
    assert client.post(url, headers=world["me"]).json["data"]["read_at"] == first
    assert client.get("/api/v1/mp/education", headers=world["stranger"], query_string={
        "patient_id": str(world["profile"].external_id)}).status_code == 404


def test_a_follow_up_brings_an_item_on_its_class(client, world):
    response = client.post(
        f"/api/v1/admin/followup/residents/{world['person'].external_id}/records",
        headers=world["doctor_h"], json={
            "visited_on": "2026-12-01", "method": "clinic", "adherence": "regular",
            "programmes": {"type2_diabetes": {}}, "readings": {"fasting_glucose": 8.0}})
    assert response.status_code == 201
    [delivery] = db.session.execute(select(EducationDelivery)).scalars().all()
    assert delivery.moment == "followup" and delivery.why == "finding:class_unsatisfactory"


def test_an_enrolment_brings_an_item_for_the_new_diagnosis(client, world):
    response = client.post(
        f"/api/v1/admin/followup/residents/{world['person'].external_id}/enrolments",
        headers=world["doctor_h"], json={"programme": "hypertension", "diagnosed_on": "2026-11-20"})
    assert response.status_code == 201, response.json
    [delivery] = db.session.execute(select(EducationDelivery)).scalars().all()
    assert (delivery.moment, delivery.why) == ("enrolment", "finding:new_diagnosis")
