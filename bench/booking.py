"""Booking under load, on gunicorn: holds per second when everyone wants the same places, and the
p95 of the public slot listing beside /healthz of the same app (the ceiling).

Holds are real: token check, the patient's row lock and rules, the conditional slot UPDATE, the
booking insert and its audit entry. Each round uses fresh patients and a fresh clinic session.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import secrets
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import requests
from sqlalchemy import select, text

from bench import release_rush
from bench.cpu import CpuMeter
from bench.load import CPU_NOTE, run, table
from bench.server import Gunicorn, prepared_app

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
WORKERS, THREADS = int(os.environ.get("BENCH_WORKERS", "2")), 4
PEOPLE = int(os.environ.get("BENCH_BOOKING_PEOPLE", "400"))
_serial = itertools.count(int(time.time()) % 100_000)


def _people(app, count: int) -> list[tuple[str, str]]:
    """(profile id, bearer token) for `count` new patients, each with a real-name profile."""
    from backend.auth import open_session
    from backend.extensions import db
    from backend.models import Account, PatientProfile, PrincipalKind
    from backend.security.identity_docs import resident_id_check_char

    index = app.extensions["blind_index"]
    people = []
    with app.app_context():
        while len(people) < count:
            born = date(1940, 1, 1) + timedelta(days=secrets.randbelow(25_000))
            body = f"110105{born:%Y%m%d}{secrets.randbelow(1000):03d}"
            number = body + resident_id_check_char(body)
            if db.session.execute(select(PatientProfile.id).where(
                    PatientProfile.document_index == index.digest(number, "document"))).first():
                continue
            account = Account(wechat_openid=f"oBENCH{uuid.uuid4().hex[:22]}",
                              privacy_policy_version="2026-01",
                              privacy_consented_at=datetime.now().astimezone())
            db.session.add(account)
            db.session.flush()
            profile = PatientProfile(account_id=account.id, relationship="self", name="压测者",
                                     sex="male", birth_date=date(1970, 1, 1),
                                     document_type="resident_id", document_number=number,
                                     document_index=index.digest(number, "document"))
            db.session.add(profile)
            db.session.flush()
            _, token = open_session(kind=PrincipalKind.ACCOUNT, channel="wechat",
                                    account_id=account.id)
            people.append((str(profile.external_id), token))
        db.session.commit()
    return people


def _session(app, places_per_slot: int, slots: int) -> tuple[str, list[str]]:
    """A fresh released clinic session at H001 cardiology; returns (hospital id, slot ids)."""
    from backend.extensions import db
    from backend.models import Department, Organization, Schedule, Slot
    from backend.services.schedules import release_time
    from backend.timeutil import CLINIC_TZ, local_today, utcnow

    with app.app_context():
        org = db.session.execute(select(Organization).where(Organization.code == "H001")
                                 ).scalar_one()
        department = db.session.execute(select(Department).where(
            Department.organization_id == org.id, Department.code == "CARD")).scalar_one()
        day = local_today() + timedelta(days=1 + next(_serial) % 5)
        start = datetime(day.year, day.month, day.day, 8, tzinfo=CLINIC_TZ)
        schedule = Schedule(organization_id=org.id, department_id=department.id,
                            his_ref=f"BENCH-{uuid.uuid4().hex[:16]}", clinic_date=day,
                            half_day="am", registration_type="general", fee_fen=1000,
                            release_at=min(release_time(day), utcnow()), status="open",
                            slots=[Slot(starts_at=start + timedelta(minutes=i),
                                        ends_at=start + timedelta(minutes=i + 1),
                                        capacity=places_per_slot, booked=0)
                                   for i in range(slots)])
        db.session.add(schedule)
        db.session.commit()
        return str(org.external_id), [str(s.external_id) for s in schedule.slots]


def _holds(base: str, people, slot_ids, meter: CpuMeter) -> dict[str, float]:
    """Every person asks for a slot at once (round-robin over `slot_ids`); CLIENTS at a time,
    each on its own keep-alive connection (as a proxy keeps them to the server)."""
    parts = urlsplit(base)
    local = threading.local()

    def one(item):
        (profile_id, token), slot_id = item
        body = json.dumps({"patient_id": profile_id, "slot_id": slot_id})
        # Like the mini-program: one Idempotency-Key per intended hold, so a request whose
        # keep-alive connection the server had just closed is safely sent again.
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                   "Idempotency-Key": uuid.uuid4().hex}
        began = time.perf_counter()
        for attempt in (1, 2):
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            try:
                local.conn.request("POST", "/api/v1/mp/bookings", body=body, headers=headers)
                response = local.conn.getresponse()
                response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                local.conn.close()
                del local.conn
                if attempt == 2:
                    return 599, (time.perf_counter() - began) * 1000
        return response.status, (time.perf_counter() - began) * 1000

    work = list(zip(people, itertools.cycle(slot_ids), strict=False))
    meter.start()
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        outcomes = list(pool.map(one, work))
    elapsed = time.perf_counter() - began
    spent = meter.stop()
    latencies = sorted(ms for _, ms in outcomes)
    held = sum(1 for status, _ in outcomes if status in (200, 201))  # 200: a resent hold
    return {"requests": len(outcomes), "held": held,
            "refused": sum(1 for status, _ in outcomes if status == 409),
            "errors": sum(1 for status, _ in outcomes if status not in (200, 201, 409)),
            "seconds": elapsed, "p50": statistics.median(latencies),
            "p95": latencies[int(len(latencies) * 0.95) - 1],
            "app_ms": spent.app_seconds / len(outcomes) * 1000,
            "database_ms": spent.database_seconds / len(outcomes) * 1000}


def _oversold(app) -> int:
    from backend.extensions import db

    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM slot WHERE booked > capacity")
                                  ).scalar_one()


def main() -> None:
    app = prepared_app()
    with app.app_context():
        from backend.demo.schedules import seed_schedules

        seed_schedules()
    rounds = [("plenty: 1 place each, 20 slots", PEOPLE // 20, 20),
              ("contention: 10 places, 1 slot", 10, 1)]
    hold_rows = []
    with Gunicorn(WORKERS, THREADS) as server:
        ceiling = run("GET /healthz (ceiling)", f"{server.base}/healthz", {}, CLIENTS, SECONDS,
                      meter=server.meter())
        for label, places, slots in rounds:
            hospital_id, slot_ids = _session(app, places, slots)
            hold_rows.append((label, _holds(server.base, _people(app, PEOPLE), slot_ids,
                                            server.meter())))
        listing = f"{server.base}/api/v1/mp/hospitals/{hospital_id}/schedules"
        department = requests.get(f"{server.base}/api/v1/mp/hospitals/{hospital_id}/departments",
                                  timeout=10).json()["data"][0]["id"]
        one_department = f"{listing}?department_id={department}"
        sizes = {url: len(requests.get(url, timeout=30).content)
                 for url in (one_department, listing)}
        etag = requests.get(one_department, timeout=30).headers.get("ETag", "")
        results = [ceiling,
                   run("GET schedules?department_id (what the app asks)", one_department, {},
                       CLIENTS, SECONDS, meter=server.meter()),
                   run("GET schedules, whole hospital, 2 weeks", listing, {}, CLIENTS,
                       SECONDS, meter=server.meter()),
                   run("GET schedules?department_id, If-None-Match (304)", one_department,
                       {"If-None-Match": etag}, CLIENTS, SECONDS, meter=server.meter())]
        rush = release_rush.race(app, server.base, _people, _session)
    print(f"\nHolds: {PEOPLE} patients per round, {CLIENTS} concurrent HTTP clients, gunicorn "
          f"{WORKERS} workers x {THREADS} threads, {os.cpu_count()} cores shared with "
          f"PostgreSQL, Redis and the clients; load average {os.getloadavg()[0]:.1f}; /healthz "
          f"{ceiling.rate:.0f} req/s, {ceiling.app_cpu_ms:.2f} ms app CPU per request\n")
    print("| round | requests | held | refused | errors | requests/s | holds/s | "
          "holds vs /healthz | p50 ms | p95 ms | app CPU ms/req | PostgreSQL CPU ms/req |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, r in hold_rows:
        print(f"| {label} | {r['requests']} | {r['held']} | {r['refused']} | {r['errors']} | "
              f"{r['requests'] / r['seconds']:.0f} | {r['held'] / r['seconds']:.0f} | "
              f"{r['held'] / r['seconds'] / ceiling.rate:.1%} | "
              f"{r['p50']:.1f} | {r['p95']:.1f} | {r['app_ms']:.2f} | {r['database_ms']:.2f} |")
    print(f"\nslots with more bookings than places: {_oversold(app)}")
    print(f"\nSlot listing (two weeks of a tertiary hospital's sessions) beside the bare "
          f"endpoint, {CLIENTS} keep-alive clients, {SECONDS:.0f} s each\n")
    print(table(results, ceiling))
    print(CPU_NOTE)
    print("\nresponse sizes: " + ", ".join(f"{n / 1024:.0f} KiB" for n in sizes.values())
          + " (one department, whole hospital)")
    print(release_rush.report(rush, app))


if __name__ == "__main__":
    main()
