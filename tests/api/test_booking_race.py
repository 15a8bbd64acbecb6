"""Real concurrency over HTTP: many people pressing "挂号" at once for the last places."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import Booking
from simulators.server import SimulatorServer
from tests import booking_support as b
from tests.conftest import make_app

CLIENTS = 200
PLACES = 10


@pytest.fixture(scope="module")
def served(app, simulators):
    inline = make_app(simulators, JOBS_INLINE=True)
    with SimulatorServer(inline) as server:
        yield inline, server.url


@pytest.fixture()
def ctx_client(served):
    inline, url = served
    with inline.app_context():
        yield inline.test_client(), url
        db.session.remove()


def _race(url: str, requests_to_send: list[tuple[dict, dict]]) -> list[int]:
    barrier = Barrier(min(len(requests_to_send), 50))

    def one(item):
        headers, body = item
        try:
            barrier.wait(timeout=30)
        except Exception:  # fewer than 50 left in the last round: go anyway
            pass
        response = requests.post(f"{url}/api/v1/mp/bookings", headers=headers, json=body,
                                 timeout=120)
        return response.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        return list(pool.map(one, requests_to_send))


def test_two_hundred_people_racing_for_ten_places_get_exactly_ten(ctx_client):
    client, url = ctx_client
    clinic = b.open_clinic(client, capacity=PLACES, slots=1)
    people = [b.patient() for _ in range(CLIENTS)]
    statuses = _race(url, [(p.headers, {"patient_id": p.profile_id,
                                        "slot_id": clinic.slot_ids[0]}) for p in people])
    assert statuses.count(201) == PLACES
    assert statuses.count(409) == CLIENTS - PLACES
    assert b.remaining(clinic.slot_ids[0]) == 0
    assert db.session.execute(select(func.count()).select_from(Booking)).scalar_one() == PLACES


def test_a_double_click_makes_one_hold(ctx_client):
    client, url = ctx_client
    clinic = b.open_clinic(client)
    who = b.patient()
    headers = {**who.headers, "Idempotency-Key": "double-click-0001"}
    body = {"patient_id": who.profile_id, "slot_id": clinic.slot_ids[0]}
    statuses = _race(url, [(headers, body)] * 8)
    assert sorted(statuses).count(201) == 1 and statuses.count(200) == 7
    assert b.remaining(clinic.slot_ids[0]) == 2
    assert db.session.execute(select(func.count()).select_from(Booking)).scalar_one() == 1
