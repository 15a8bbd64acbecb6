"""Redis goes away mid-use: a private redis-server is started for each test and killed in it.

Logins, messages to the assistant, holds, payments and the gateways' callbacks keep working
(or answer 503 with a clear message), rate limits stay on, and work queued while Redis was away
is done once it is back.
"""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.messages import dispatch_pending_messages
from backend.models import PatientMessage
from simulators.server import SimulatorServer
from tests import booking_support as b
from tests import factories as f
from tests.conftest import make_app
from tests.helpers_process import frontdoor


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, on a free port, without persistence."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture()
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


@pytest.fixture()
def outage_app(app, simulators, private_redis):
    """The app on the private Redis with real (not inline) jobs, served on loopback so the
    payment simulators' callbacks reach it."""
    served = make_app(simulators, REDIS_URL=private_redis.url, JOBS_INLINE=False,
                      RATELIMIT_LOGIN="10 per minute")
    with SimulatorServer(served) as server:
        served.config["PAYMENT_NOTIFY_BASE_URL"] = server.url
        with served.app_context():
            yield served
            db.session.remove()


def test_patients_log_in_while_redis_is_down(outage_app, simulators, private_redis):
    client = outage_app.test_client()
    private_redis.kill()
    for _ in range(2):  # the token is fetched once and kept in this process
        response = client.post("/api/v1/mp/auth/wechat",
                               json={"code": f.wechat_code(simulators)})
        assert response.status_code == 200, response.json
        token = response.json["data"]["token"]
        assert client.get("/api/v1/mp/me", headers=f.bearer(token)).status_code == 200


def test_rate_limits_stay_on_while_redis_is_down(outage_app, private_redis):
    client = outage_app.test_client()
    private_redis.kill()
    statuses = [client.post("/api/v1/admin/auth/login",
                            json={"username": "nobody", "password": "wrong-password"}
                            ).status_code for _ in range(13)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429] * 3


def test_booking_paying_and_the_callback_work_and_queued_work_is_done_when_redis_returns(
        outage_app, simulators, private_redis):
    client = outage_app.test_client()
    clinic = b.open_clinic(client)
    who = b.payer("wechat")
    private_redis.kill()
    held = b.hold(client, who, clinic.slot_ids[0])
    assert held.status_code == 201, held.json
    booking_id = held.json["data"]["id"]
    assert b.start_payment(client, who, booking_id).status_code == 201
    b.gateway_pays(simulators, "wechat", b.order_of(booking_id).out_trade_no)  # the callback
    assert b.booking(client, who, booking_id)["status"] == "confirmed"
    db.session.expire_all()
    pending = db.session.execute(select(PatientMessage)).scalars().all()
    assert [m.status for m in pending] == ["pending"]  # kept in the outbox, not lost
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["redis"] == "unreachable"

    private_redis.start()  # back, empty: what was queued before is gone, the outbox is not
    assert dispatch_pending_messages() == 1
    worker = frontdoor("worker", "--burst", REDIS_URL=private_redis.url)
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output
    db.session.expire_all()
    assert db.session.execute(select(PatientMessage.status)).scalar_one() != "pending"


def test_messages_to_the_assistant_go_on_while_redis_is_down(outage_app, private_redis):
    from backend.demo.seed import seed

    seed()
    client = outage_app.test_client()
    acct = f.account()
    profile = f.profile(acct)
    headers = f.bearer(f.account_token(acct))
    started = client.post("/api/v1/mp/conversations", headers=headers,
                          json={"patient_id": str(profile.external_id), "mode": "triage"})
    assert started.status_code == 201
    private_redis.kill()
    reply = client.post(f"/api/v1/mp/conversations/{started.json['data']['id']}/messages",
                        headers=headers, json={"text": "头疼两天了"})
    assert reply.status_code == 200, reply.json


def test_a_failing_address_still_waits_while_redis_is_down(outage_app, private_redis):
    client = outage_app.test_client()
    f.staff(f.organization(), username="doctor.wu")
    private_redis.kill()

    def attempt(password, address="10.8.8.8"):
        return client.post("/api/v1/admin/auth/login", environ_base={"REMOTE_ADDR": address},
                           json={"username": "doctor.wu", "password": password}).status_code

    assert [attempt("wrong-password") for _ in range(5)] == [401] * 5
    assert attempt(f.STAFF_PASSWORD) == 401  # counted in this process: the brake holds
    assert attempt(f.STAFF_PASSWORD, "10.1.1.1") == 200
