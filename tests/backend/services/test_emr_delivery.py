"""Pre-visit notes reach the EMR exactly once: through outages, worker crashes and refusals.

Real pieces throughout: PostgreSQL, Redis, `frontdoor worker` processes (RQ) and the reference
FHIR receiver over HTTP. "Time passing" is simulated by moving `next_attempt_at`/`lease_until`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, text

from backend.auth import Principal
from backend.extensions import db
from backend.interop.emr_client import DeliveryResult
from backend.jobs.emr import dispatch_due_deliveries
from backend.models import AdminAlert, EmrDelivery, PreVisitNote, PrincipalKind
from backend.services import conversations, emr, notes
from backend.timeutil import utcnow
from simulators.fhir_receiver import create_fhir_receiver
from simulators.server import SimulatorServer
from tests import factories as f
from tests.conftest import make_app
from tests.helpers_process import frontdoor_env

TOKEN = "emr-test-token"


@pytest.fixture(scope="module")
def receiver():
    with SimulatorServer(create_fhir_receiver({TOKEN})) as server:
        yield server


@pytest.fixture()
def emr_env(receiver):
    requests.post(f"{receiver.url}/_sim/reset", timeout=5)
    return {"EMR_FHIR_BASE_URL": f"{receiver.url}/fhir", "EMR_BEARER_TOKEN": TOKEN,
            "EMR_TIMEOUT_SECONDS": "2"}


@pytest.fixture()
def emr_app(simulators, app, emr_env):
    app = make_app(simulators, **{k: (int(v) if v.isdigit() else v) for k, v in emr_env.items()})
    with app.app_context():
        yield app
        db.session.remove()


def behave(receiver, **settings):
    requests.post(f"{receiver.url}/_sim/behaviour", json=settings, timeout=5).raise_for_status()


def received(receiver) -> dict:
    return requests.get(f"{receiver.url}/_sim/received", timeout=5).json()


def confirmed_notes(count: int) -> list[PreVisitNote]:
    """`count` patients each confirm a short pre-consultation (this enqueues their delivery)."""
    made = []
    for index in range(count):
        acct = f.account()
        profile = f.profile(acct, name=f"患者{index}")
        principal = Principal(kind=PrincipalKind.ACCOUNT, session_id=0, account_id=acct.id,
                              actor_external_id=str(acct.external_id))
        session = conversations.start(principal, str(profile.external_id), "pre_consultation",
                                      None)
        conversations.send(principal, str(session.external_id), "头疼三天了，有点恶心，青霉素过敏")
        made.append(notes.confirm(principal, str(session.external_id), []))
    return made


def run_worker(env: dict, timeout: float = 120) -> str:
    worker = subprocess.run([sys.executable, "-m", "backend.cli", "worker", "--burst", "--simple",
                             "--queue", "emr"], env=frontdoor_env(**env), capture_output=True,
                            text=True, timeout=timeout)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    return worker.stdout + worker.stderr


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _kill_with_children(pid: int) -> None:
    """SIGKILL the worker and its work horse (RQ puts the horse in a session of its own)."""
    for child in _children(pid):
        os.kill(child, signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)


def statuses() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(EmrDelivery.status)).scalars().all()
    return {status: rows.count(status) for status in set(rows)}


def time_passes() -> None:
    db.session.execute(text("UPDATE emr_delivery SET next_attempt_at = now() - interval '1 second'"
                            " WHERE status = 'pending'"))
    db.session.commit()


def test_a_hundred_notes_confirmed_while_the_emr_is_down_all_arrive_exactly_once(
        emr_app, emr_env, receiver):
    behave(receiver, mode="down")
    made = confirmed_notes(100)
    run_worker(emr_env)
    assert statuses() == {"pending": 100}
    assert all(d.attempts == 1 and d.last_status_code == 503 and d.next_attempt_at > d.updated_at
               for d in db.session.execute(select(EmrDelivery)).scalars())

    behave(receiver, mode="ok")
    time_passes()
    assert dispatch_due_deliveries() == 100
    run_worker(emr_env)
    assert statuses() == {"delivered": 100}
    counts = received(receiver)["counts"]
    assert counts["Composition"] == 100 and counts["QuestionnaireResponse"] == 100
    identifiers = {b["identifier"]["value"] for b in received(receiver)["bundles"]}
    assert identifiers == {str(n.external_id) for n in made}

    # A replay of everything (e.g. an operator redrive by mistake) duplicates nothing.
    db.session.execute(text("UPDATE emr_delivery SET status = 'pending', "
                            "next_attempt_at = now() - interval '1 second'"))
    db.session.commit()
    dispatch_due_deliveries()
    run_worker(emr_env)
    assert received(receiver)["counts"]["Composition"] == 100


def test_a_worker_killed_mid_delivery_loses_and_duplicates_nothing(emr_app, emr_env, receiver):
    behave(receiver, mode="hang", delay=20)
    (note,) = confirmed_notes(1)
    worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker", "--queue", "emr"],
                              env=frontdoor_env(**emr_env), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while received(receiver)["attempts"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert received(receiver)["attempts"] == 1
    finally:
        _kill_with_children(worker.pid)
        worker.wait(timeout=10)
    assert statuses() == {"delivering": 1}

    behave(receiver, mode="ok")
    db.session.execute(text("UPDATE emr_delivery SET lease_until = now() - interval '1 second'"))
    db.session.commit()
    assert dispatch_due_deliveries() == 1
    run_worker(emr_env)
    assert statuses() == {"delivered": 1}
    time.sleep(0.5)
    assert received(receiver)["counts"]["Composition"] == 1
    assert {b["identifier"]["value"] for b in received(receiver)["bundles"]} == {
        str(note.external_id)}


def test_a_refused_bundle_is_dead_lettered_with_an_alert_and_the_rest_arrive(
        emr_app, emr_env, receiver):
    made = confirmed_notes(5)  # each confirmation enqueued its delivery
    bad = str(made[2].external_id)
    behave(receiver, mode="ok", reject_identifiers=[bad])
    run_worker(emr_env)
    assert statuses() == {"delivered": 4, "dead": 1}
    dead = db.session.execute(select(EmrDelivery).where(EmrDelivery.status == "dead")).scalar_one()
    assert str(dead.note.external_id) == bad and dead.last_status_code == 422
    alert = db.session.execute(select(AdminAlert)).scalar_one()
    assert alert.subject_id == bad and "未能送达" in alert.message

    behave(receiver, mode="ok", reject_identifiers=[])
    assert emr.redrive() == 1
    dispatch_due_deliveries()
    run_worker(emr_env)
    assert statuses() == {"delivered": 5}


def test_retries_back_off_and_give_up_after_the_retry_window(emr_app, receiver):
    behave(receiver, mode="error500")
    (note,) = confirmed_notes(1)
    delivery = db.session.execute(select(EmrDelivery)).scalar_one()
    assert delivery.status == "pending"
    gaps = []
    for _ in range(6):
        db.session.execute(text("UPDATE emr_delivery SET next_attempt_at = now()"))
        db.session.commit()
        claimed = emr.claim(delivery.id)
        before = utcnow()
        emr.record(claimed, DeliveryResult("transient", 500, "HTTP 500"))
        db.session.refresh(delivery)
        gaps.append((delivery.next_attempt_at - before).total_seconds())
    assert gaps[-1] > gaps[0] * 4  # exponential, with jitter
    assert all(gap <= 3600 for gap in gaps)
    db.session.execute(text("UPDATE emr_delivery SET retry_until = now(), next_attempt_at = now()"))
    db.session.commit()
    emr.record(emr.claim(delivery.id), DeliveryResult("transient", 500, "HTTP 500"))
    db.session.refresh(delivery)
    assert delivery.status == "dead"
    assert timedelta(0) < utcnow() - delivery.dead_at < timedelta(minutes=1)
    assert note.delivery_state == "waiting"
