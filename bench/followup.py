"""The daily follow-up due-scan at a district's scale, and bookings while it runs.

`python -m bench followup --residents 100000,1000000` builds, for each size, a district of N
residents (40 % enrolled in hypertension, 10 % also in type 2 diabetes: 0.5 N enrolments) with
next follow-up dates spread over four months, then times:
- the first scan (every due follow-up opens a task) alone, with the CPU seconds it used in the
  database backend and in Python (wall time on a shared machine is mostly waiting), then
  again from no tasks while bookings run; a re-run the same day (opens nothing) and the next
  day's scan (opens that day's newly due, the daily steady state);
- the booking p95 (real holds over HTTP on gunicorn) alone and while the first scan runs.
Data is generated in PostgreSQL with INSERT … SELECT generate_series (no Python loop);
identifiers are placeholders, since the scan never reads them.
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import time
import tracemalloc
from datetime import timedelta

import psycopg
from sqlalchemy import text

from backend.services.followup.due_scan import BATCH
from bench.server import ADMIN_URL, ENV, Gunicorn

BENCH_DB = "frontdoor_bench_followup"
DATABASE_URL = os.environ.get("BENCH_FOLLOWUP_DATABASE_URL",
                              f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}")
CENTRES, DOCTORS_PER_CENTRE = 20, 25
SPREAD_DAYS = 120  # next due dates from 30 days ago to 90 days ahead


def _app():
    from flask_migrate import upgrade

    from backend.app import create_app
    from backend.demo.seed import seed

    name = psycopg.conninfo.conninfo_to_dict(DATABASE_URL)["dbname"]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    app = create_app({**ENV, "DATABASE_URL": DATABASE_URL})
    with app.app_context():
        upgrade()
        seed()
    return app


_DISTRICT = [
    "TRUNCATE follow_up_task, follow_up_outcome, follow_up_record, programme_enrolment, "
    "resident RESTART IDENTITY CASCADE",
    """INSERT INTO organization (code, name, kind, external_id, created_at, updated_at)
       SELECT 'BENCH' || c, '压测社区卫生服务中心' || c, 'community_health_centre',
              gen_random_uuid(), now(), now()
       FROM generate_series(1, :centres) c ON CONFLICT (code) DO NOTHING""",
    """INSERT INTO staff_user (organization_id, username, display_name, role, password_hash,
                               failed_login_count, is_active, external_id, created_at, updated_at)
       SELECT o.id, 'bench.doctor.' || o.code || '.' || d, '压测医生', 'family_doctor', 'x', 0,
              true, gen_random_uuid(), now(), now()
       FROM organization o, generate_series(1, :doctors) d WHERE o.code LIKE 'BENCH%'
       ON CONFLICT (username) DO NOTHING""",
    """INSERT INTO resident (organization_id, name, sex, birth_date, document_type,
                             document_number, document_index, source, external_id, created_at,
                             updated_at)
       SELECT (SELECT min(id) FROM organization WHERE code LIKE 'BENCH%') + i % :centres,
              '居民', CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END,
              date '1940-01-01' + (i % 20000), 'resident_id', 'placeholder',
              'bench-' || i, 'import', gen_random_uuid(), now(), now()
       FROM generate_series(1, :residents) i""",
    """CREATE TEMP TABLE bench_doctor AS
       SELECT organization_id, array_agg(id ORDER BY id) AS ids FROM staff_user
       WHERE username LIKE 'bench.doctor.%' GROUP BY organization_id""",
    """INSERT INTO programme_enrolment (resident_id, programme, diagnosed_on, enrolled_on,
                                       doctor_id, management_level, plan, next_due_on,
                                       next_due_rule, external_id, created_at, updated_at)
       SELECT r.id, p.programme, date '2018-01-01', date '2025-01-01',
              d.ids[1 + r.id % :doctors], 1, '{}',
              :today - 30 + abs(hashint4(r.id + p.k * 1000003)) % :spread,
              'routine_followup', gen_random_uuid(), now(), now()
       FROM resident r JOIN bench_doctor d ON d.organization_id = r.organization_id
       JOIN (VALUES ('hypertension', 0), ('type2_diabetes', 1)) p(programme, k)
         ON (p.k = 0 AND r.id % 5 IN (0, 1)) OR (p.k = 1 AND r.id % 10 = 0)""",
    "DROP TABLE bench_doctor",
]


def _district(app, residents: int, today) -> tuple[float, int]:
    from backend.extensions import db

    began = time.perf_counter()
    with app.app_context():
        for statement in _DISTRICT:
            db.session.execute(text(statement), {
                "centres": CENTRES, "doctors": DOCTORS_PER_CENTRE, "residents": residents,
                "today": today, "spread": SPREAD_DAYS})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE resident, programme_enrolment, follow_up_task"))
        enrolments = db.session.execute(text("SELECT count(*) FROM programme_enrolment")
                                        ).scalar_one()
    return time.perf_counter() - began, enrolments


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds a PostgreSQL backend on this machine has used (None when not readable):
    the scan's own work, which the machine's other load does not inflate as it does wall time."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_scan(app, today) -> tuple[float, float, object, float | None]:
    """Wall seconds, Python peak MiB, the summary, and CPU seconds (database + Python)."""
    from backend.extensions import db
    from backend.services.followup.due_scan import scan

    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db_cpu, py_cpu = _backend_cpu(pid), time.process_time()
        tracemalloc.start()
        began = time.perf_counter()
        summary = scan(today)
        seconds = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db_after = _backend_cpu(pid)
    cpu = None if db_cpu is None or db_after is None else \
        db_after - db_cpu + time.process_time() - py_cpu
    return seconds, peak / 2**20, summary, cpu


def _forget_tasks(app) -> None:
    """Back to a district nobody has scanned yet, to time the first scan again under load."""
    from backend.extensions import db

    with app.app_context():
        db.session.execute(text("TRUNCATE follow_up_task RESTART IDENTITY CASCADE"))
        db.session.execute(text("DELETE FROM admin_alert WHERE kind = 'followup_overdue'"))
        db.session.commit()


def _holds(app, server, people: int, while_running: threading.Thread | None = None
           ) -> tuple[float, int]:
    """p95 ms and count of real booking holds (POST /mp/bookings), 8 clients at a time; with
    `while_running`, only while that thread is alive (at least one round of 8)."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from bench.booking import _people, _session

    _, slot_ids = _session(app, max(1, people // 20), 20)
    patients = _people(app, people)

    def one(item) -> tuple[int, float]:
        (profile_id, token), slot_id = item
        began = time.perf_counter()
        response = requests.post(f"{server.base}/api/v1/mp/bookings", timeout=60,
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"patient_id": profile_id, "slot_id": slot_id})
        return response.status_code, (time.perf_counter() - began) * 1000

    work = [(p, slot_ids[i % len(slot_ids)]) for i, p in enumerate(patients)]
    latencies: list[float] = []
    if while_running is not None:
        while_running.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for start in range(0, len(work), 8):
            outcomes = list(pool.map(one, work[start:start + 8]))
            latencies += [ms for status, ms in outcomes if status == 201]
            if while_running is not None and not while_running.is_alive():
                break
    if while_running is not None:
        while_running.join()
    latencies.sort()
    return latencies[max(0, int(len(latencies) * 0.95) - 1)], len(latencies)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench followup")
    parser.add_argument("--residents", default="100000",
                        help="comma-separated district sizes, e.g. 100000,1000000,6000000")
    parser.add_argument("--booking-people", type=int, default=200,
                        help="patients holding a place during each booking measurement")
    args = parser.parse_args(argv or [])
    sizes = [int(size) for size in args.residents.split(",")]
    app = _app()
    from backend.demo.schedules import seed_schedules
    from backend.timeutil import local_today

    with app.app_context():
        seed_schedules()
    today = local_today()
    rows = []
    with Gunicorn(2, 4, DATABASE_URL=DATABASE_URL) as server:
        for size in sizes:
            build_seconds, enrolments = _district(app, size, today)
            scan_alone, _, _, scan_cpu = _timed_scan(app, today)
            load_during = os.getloadavg()[0]
            _forget_tasks(app)
            alone, _ = _holds(app, server, args.booking_people)
            first_scan: list = []
            scanning = threading.Thread(
                target=lambda out=first_scan: out.append(_timed_scan(app, today)))
            during, during_count = _holds(app, server, args.booking_people, scanning)
            first, first_mb, first_summary, _ = first_scan[0]
            rerun, _, rerun_summary, _ = _timed_scan(app, today)
            next_day, _, next_summary, _ = _timed_scan(app, today + timedelta(days=1))
            rows.append((size, enrolments, build_seconds, scan_alone, first,
                         first_summary.tasks_opened,
                         first_mb, rerun, rerun_summary.tasks_opened, next_day,
                         next_summary.tasks_opened, alone, during, during_count,
                         scan_cpu, load_during))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nFollow-up due-scan, PostgreSQL, batches of {BATCH:,} enrolment ids, "
          f"{os.cpu_count()} cores shared with gunicorn (2x4), the booking clients and other "
          f"work on the machine (load average {os.getloadavg()[0]:.1f} at the end)\n")
    print("| residents | enrolments | build s | first scan s alone (CPU s: database + Python; "
          "load) | first scan s with bookings | tasks opened | scan peak MiB (Python) | "
          "re-run s | opened | next day s | opened | booking p95 ms alone | "
          "booking p95 ms during scan (holds) |")
    print("| " + " | ".join(["---"] * 13) + " |")
    for r in rows:
        cpu = "n/a" if r[14] is None else f"{r[14]:.1f}"
        print(f"| {r[0]:,} | {r[1]:,} | {r[2]:.1f} | {r[3]:.2f} ({cpu}; {r[15]:.1f}) | "
              f"{r[4]:.2f} | {r[5]:,} | {r[6]:.2f} | {r[7]:.2f} | {r[8]:,} | {r[9]:.2f} | "
              f"{r[10]:,} | {r[11]:.0f} | {r[12]:.0f} ({r[13]} holds) |")
    print(f"\nbench process max RSS: {rss:.0f} MiB (includes the booking clients and data "
          "set-up)")
