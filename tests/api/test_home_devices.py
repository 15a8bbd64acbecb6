"""A home device gateway uploads a resident's blood pressure, glucose, weight, SpO₂ and
temperature as FHIR Observations:
each is assessed like a reading typed in the mini-program (urgent → the doctor today), the same
upload twice is kept once, a bad entry is answered on its own, and only the centre's own
integration account may post for its residents."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import FollowUpTask, VitalReading
from simulators.home_device_gateway import HomeDeviceGateway
from tests import factories as f
from tests import followup_support as fs

NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
URL = "/fhir/r4/home-devices"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    world = fs.resident_with_account()
    fs.enrol(world["person"], world["doctor"], next_due_on=date(2027, 2, 1))
    fs.enrol(world["person"], world["doctor"], programme="type2_diabetes",
             next_due_on=date(2027, 2, 1))
    world["gateway_h"] = f.bearer(f.staff_token(f.staff(world["org"], role="integration")))
    world["number"] = world["person"].document_number
    return world


def _post(client, headers, bundle):
    return client.post(URL, headers={**headers, "Content-Type": "application/fhir+json"},
                       json=bundle)


def _statuses(response):
    return [e["response"]["status"] for e in response.json["entry"]]


def test_readings_arrive_are_assessed_and_the_same_upload_twice_is_kept_once(client, world):
    gateway = HomeDeviceGateway("GW0001")
    gateway.blood_pressure(world["number"], NOW - timedelta(minutes=5), 128, 76, pulse=70)
    gateway.glucose(world["number"], NOW - timedelta(minutes=3), 6.2, fasting=True)
    bundle = gateway.bundle()
    first = _post(client, world["gateway_h"], bundle)
    assert first.status_code == 200, first.json
    assert _statuses(first) == ["201 Created", "201 Created"]
    again = _post(client, world["gateway_h"], bundle)
    assert _statuses(again) == ["200 OK", "200 OK"]
    assert again.json["entry"][0]["response"]["location"] == \
        first.json["entry"][0]["response"]["location"]
    db.session.remove()
    rows = db.session.execute(select(VitalReading).order_by(VitalReading.id)).scalars().all()
    assert [(r.kind, r.source, r.level) for r in rows] == [
        ("blood_pressure", "device", "normal"), ("glucose", "device", "normal")]
    assert rows[0].readings == {"systolic": 128, "diastolic": 76, "heart_rate": 70}
    history = client.get("/api/v1/mp/vitals", headers=world["me"], query_string={
        "patient_id": str(world["profile"].external_id)}).json["data"]
    assert len(history["readings"]) == 2  # the resident sees them in the mini-program


def test_an_urgent_reading_from_a_device_puts_the_resident_on_todays_worklist(client, world):
    gateway = HomeDeviceGateway("GW0002")
    gateway.glucose(world["number"], NOW - timedelta(minutes=1), 2.8, fasting=False)
    answer = _post(client, world["gateway_h"], gateway.bundle())
    assert _statuses(answer) == ["201 Created"]
    assert "level=urgent" in answer.json["entry"][0]["response"]["outcome"]["issue"][0][
        "diagnostics"]
    db.session.remove()
    assert {t.due_on for t in db.session.execute(select(FollowUpTask)).scalars()} == {
        date(2026, 12, 5)}


def test_a_scale_an_oximeter_and_a_thermometer_upload_like_the_monitor(client, world):
    gateway = HomeDeviceGateway("GW0005")
    gateway.weight(world["number"], NOW - timedelta(minutes=6), 64.5)
    gateway.spo2(world["number"], NOW - timedelta(minutes=5), 96)
    gateway.temperature(world["number"], NOW - timedelta(minutes=4), 39.6)  # diabetes: 危急
    answer = _post(client, world["gateway_h"], gateway.bundle())
    assert _statuses(answer) == ["201 Created"] * 3
    db.session.remove()
    rows = db.session.execute(select(VitalReading).order_by(VitalReading.id)).scalars().all()
    assert [(r.kind, r.readings, r.level) for r in rows] == [
        ("weight", {"weight": 64.5}, "normal"), ("spo2", {"spo2": 96.0}, "normal"),
        ("temperature", {"temperature": 39.6}, "urgent")]
    assert {t.due_rule for t in db.session.execute(select(FollowUpTask)).scalars()} == {
        "urgent_home_reading"}


def test_a_bad_entry_is_answered_on_its_own_and_the_gateway_keeps_only_it(client, world):
    gateway = HomeDeviceGateway("GW0003")
    gateway.blood_pressure(world["number"], NOW - timedelta(minutes=5), 128, 76)
    gateway.blood_pressure(world["number"], NOW - timedelta(minutes=4), 420, 76)  # mistyped
    gateway.blood_pressure("110101195501010000", NOW - timedelta(minutes=3), 128, 76)
    gateway.glucose(world["number"], NOW + timedelta(hours=2), 6.0, fasting=True)  # future
    answer = _post(client, world["gateway_h"], gateway.bundle())
    assert _statuses(answer) == ["201 Created", "422 Unprocessable Entity", "404 Not Found",
                                 "422 Unprocessable Entity"]
    assert "不在可能的范围内" in answer.json["entry"][1]["response"]["outcome"]["issue"][0][
        "diagnostics"]
    gateway.accepted(answer.json)
    assert len(gateway.pending) == 3
    assert db.session.execute(select(func.count()).select_from(VitalReading)).scalar_one() == 1


def test_not_a_batch_or_wrong_units_are_refused_plainly(client, world):
    assert _post(client, world["gateway_h"], {"resourceType": "Bundle", "type": "transaction",
                                              "entry": []}).status_code == 400
    gateway = HomeDeviceGateway("GW0004")
    gateway.glucose(world["number"], NOW - timedelta(minutes=1), 110, fasting=True)
    gateway.pending[0]["valueQuantity"].update(unit="mg/dL", code="mg/dL")
    answer = _post(client, world["gateway_h"], gateway.bundle())
    assert _statuses(answer) == ["400 Bad Request"]
    assert "mmol/L" in answer.json["entry"][0]["response"]["outcome"]["issue"][0]["diagnostics"]


def test_only_an_integration_account_of_the_residents_centre_may_post(client, world):
    gateway = HomeDeviceGateway("GW0005")
    gateway.blood_pressure(world["number"], NOW - timedelta(minutes=5), 128, 76)
    other_centre = f.bearer(f.staff_token(f.staff(f.organization("CHC77"), role="integration")))
    assert _statuses(_post(client, other_centre, gateway.bundle())) == ["404 Not Found"]
    assert _post(client, world["doctor_h"], gateway.bundle()).status_code == 403
    assert _post(client, world["me"], gateway.bundle()).status_code in (401, 403)
    assert db.session.execute(select(func.count()).select_from(VitalReading)).scalar_one() == 0
