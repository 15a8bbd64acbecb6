"""Delivery throughput of the EMR outbox: notes per second to the local FHIR receiver.

NOTES pre-visit notes are confirmed in the bench database (each enqueues its delivery), then
two `frontdoor worker --burst` processes (production mode: a fork per job) drain the queue
against the reference receiver over loopback. Mapping, validation, the HTTP round trip with
conditional creates and the outbox bookkeeping are all inside the measured time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import redis
import requests
from sqlalchemy import func, select, text

from bench.server import ENV, REDIS_URL, prepared_app
from simulators.fhir_receiver import create_fhir_receiver
from simulators.server import SimulatorServer

NOTES = int(os.environ.get("BENCH_NOTES", "300"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
BEARER = "bench-emr"


def _confirm_notes(app, count: int) -> None:
    from datetime import date

    from backend.auth import Principal
    from backend.extensions import db
    from backend.models import Account, PatientProfile, PrincipalKind
    from backend.security.identity_docs import resident_id_check_char
    from backend.services import conversations, notes

    with app.app_context():
        db.session.execute(text("TRUNCATE emr_delivery, admin_alert CASCADE"))
        db.session.commit()
        index = app.extensions["blind_index"]
        stamp = time.time_ns()
        for n in range(count):
            account = Account(wechat_openid=f"oEMR{stamp}{n:05d}")
            db.session.add(account)
            db.session.flush()
            serial = (stamp // 1000 + n) % 1000
            body = f"3201021980{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}{serial:03d}"
            number = body + resident_id_check_char(body)
            if db.session.execute(select(PatientProfile.id).where(
                    PatientProfile.document_index == index.digest(number, "document"))).first():
                continue
            profile = PatientProfile(
                account_id=account.id, relationship="self", name="测试", sex="female",
                birth_date=date(1980, n // 28 % 12 + 1, n % 28 + 1),
                document_type="resident_id", document_number=number,
                document_index=index.digest(number, "document"))
            db.session.add(profile)
            db.session.commit()
            principal = Principal(kind=PrincipalKind.ACCOUNT, session_id=0,
                                  account_id=account.id, actor_external_id=str(account.external_id))
            session = conversations.start(principal, str(profile.external_id),
                                          "pre_consultation", None)
            conversations.send(principal, str(session.external_id),
                               "咳嗽一周了，有黄痰，以前有高血压，对头孢过敏")
            notes.confirm(principal, str(session.external_id), [])


def main() -> None:
    with SimulatorServer(create_fhir_receiver({BEARER})) as receiver:
        emr = {"EMR_FHIR_BASE_URL": f"{receiver.url}/fhir", "EMR_BEARER_TOKEN": BEARER}
        redis.Redis.from_url(REDIS_URL).delete("rq:queue:emr")
        app = prepared_app(**emr)
        _confirm_notes(app, NOTES)
        env = {**os.environ, **ENV, **emr}
        started = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-m", "backend.cli", "worker", "--burst",
                                     "--queue", "emr"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for _ in range(WORKERS)]
        for worker in workers:
            worker.wait(timeout=1800)
        elapsed = time.perf_counter() - started
        from backend.extensions import db
        from backend.models import EmrDelivery

        with app.app_context():
            delivered = db.session.execute(select(func.count()).where(
                EmrDelivery.status == "delivered")).scalar_one()
        counts = requests.get(f"{receiver.url}/_sim/received", timeout=10).json()["counts"]
    print(f"\nEMR outbox delivery: {WORKERS} RQ workers (fork per job) → reference FHIR receiver "
          "on loopback\n")
    print(f"notes confirmed              {NOTES}")
    print(f"delivered                    {delivered}   (Compositions received: "
          f"{counts.get('Composition', 0)})")
    print(f"wall time                    {elapsed:.1f} s")
    print(f"throughput                   {delivered / elapsed:.1f} notes/s")


if __name__ == "__main__":
    main()
