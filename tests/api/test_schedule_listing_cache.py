"""The schedule listing is served from a short-lived cache, yet never shows a count that a
hold, a cancel, a lapsed hold, 停诊, a HIS push or the call board has changed since."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from backend.extensions import db
from backend.jobs.bookings import expire_due_holds
from backend.timeutil import utcnow
from tests import booking_support as b
from tests.conftest import make_app


@pytest.fixture(scope="module")
def inline_app(app, simulators):
    return make_app(simulators, JOBS_INLINE=True)


@pytest.fixture()
def client(inline_app):
    with inline_app.app_context():
        yield inline_app.test_client()
        db.session.remove()


def _listing(client, clinic, **headers):
    department = client.get(f"/api/v1/mp/hospitals/{clinic.hospital_id}/departments"
                            ).json["data"]
    cardiology = next(d["id"] for d in department if d["name"] == "心血管内科")
    return client.get(f"/api/v1/mp/hospitals/{clinic.hospital_id}/schedules",
                      query_string={"department_id": cardiology}, headers=headers)


def _remaining(response, slot_id: str) -> int | None:
    for schedule in response.json["data"]:
        for slot in schedule["slots"]:
            if slot["id"] == slot_id:
                return slot["remaining"]
    return None


def test_an_unchanged_listing_answers_304_to_its_etag(client):
    clinic = b.open_clinic(client)
    first = _listing(client, clinic)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    again = _listing(client, clinic, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert _listing(client, clinic).json == first.json


def test_a_hold_and_a_cancel_show_at_once(client):
    clinic = b.open_clinic(client)
    slot = clinic.slot_ids[0]
    before = _listing(client, clinic)
    assert _remaining(before, slot) == 3
    who = b.patient()
    booking = b.hold(client, who, slot).json["data"]
    after_hold = _listing(client, clinic, **{"If-None-Match": before.headers["ETag"]})
    assert after_hold.status_code == 200 and _remaining(after_hold, slot) == 2
    cancelled = client.post(f"/api/v1/mp/bookings/{booking['id']}/cancel", headers=who.headers,
                            json={})
    assert cancelled.status_code == 200, cancelled.json
    assert _remaining(_listing(client, clinic), slot) == 3


def test_a_lapsed_hold_returns_its_place_to_the_listing(client):
    clinic = b.open_clinic(client)
    slot = clinic.slot_ids[0]
    b.hold(client, b.patient(), slot)
    assert _remaining(_listing(client, clinic), slot) == 2
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert expire_due_holds() == 1
    assert _remaining(_listing(client, clinic), slot) == 3


def test_a_stoppage_and_a_his_push_show_at_once(client):
    clinic = b.open_clinic(client)
    slot = clinic.slot_ids[0]
    assert _remaining(_listing(client, clinic), slot) == 3
    pushed = client.put("/api/v1/admin/schedules", headers=clinic.admin,
                        json={"schedules": [b.session(capacity=5)]})
    assert pushed.status_code == 200, pushed.json
    assert _remaining(_listing(client, clinic), slot) == 5
    stopped = client.post(f"/api/v1/admin/schedules/{clinic.schedule_id}/stop",
                          headers=clinic.admin, json={"reason": "医生临时出诊任务"})
    assert stopped.status_code == 200, stopped.json
    assert _remaining(_listing(client, clinic), slot) is None


def test_the_call_board_shows_at_once(client):
    clinic = b.open_clinic(client)
    assert _listing(client, clinic).json["data"][0]["now_serving"] == 0
    board = client.put(f"/api/v1/admin/schedules/{clinic.schedule_id}/queue",
                       headers=clinic.admin, json={"now_serving": 4})
    assert board.status_code == 200, board.json
    assert _listing(client, clinic).json["data"][0]["now_serving"] == 4


def test_a_full_slot_is_refused_whatever_a_listing_showed(client):
    clinic = b.open_clinic(client, capacity=1, slots=1)
    slot = clinic.slot_ids[0]
    assert _remaining(_listing(client, clinic), slot) == 1
    assert b.hold(client, b.patient(), slot).status_code == 201
    refused = b.hold(client, b.patient(), slot)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "slot_full"
    assert _remaining(_listing(client, clinic), slot) == 0
