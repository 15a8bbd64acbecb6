"""Console page times at 10 k and 1 M residents (server-side, from the Server-Timing header).

The bench database is filled with synthetic residents in SQL (names from common surnames and
given names, identifiers as real ciphertext and blind indexes, signed 2,000 to a family doctor,
all to doctors of the demo community centre), then the pages are requested in process through
the console's own login. Sizes: BENCH_CONSOLE_SIZES (default "10000,1000000"); ROUNDS requests
per page (BENCH_CONSOLE_ROUNDS, default 30).
"""

from __future__ import annotations

import os
import re
import statistics
import time

from sqlalchemy import select, text

from bench.server import prepared_app

SIZES = [int(s) for s in os.environ.get("BENCH_CONSOLE_SIZES", "10000,1000000").split(",")]
ROUNDS = int(os.environ.get("BENCH_CONSOLE_ROUNDS", "30"))
# Reuse a bench database already filled with this many residents (BENCH_CONSOLE_REUSE=1).
REUSE = os.environ.get("BENCH_CONSOLE_REUSE") == "1"
PER_DOCTOR = 2000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("秀英", "建国", "桂芳", "志强", "丽华", "德明", "玉兰", "文博", "淑珍", "国强",
         "海燕", "金凤", "永刚", "春梅", "晓东", "红霞")
SAMPLE_ID = "110105195205180013"
SAMPLE_PHONE = "13800138003"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _fill(app, size: int) -> float:
    """Replace every account and resident with `size` synthetic ones; seconds taken."""
    from backend.demo.seed import seed
    from backend.extensions import db
    from backend.models import Organization, StaffUser

    started = time.perf_counter()
    with app.app_context():
        db.session.execute(text("TRUNCATE account, patient_profile, signed_resident, resident"
                                " CASCADE"))
        db.session.execute(text("DELETE FROM staff_user WHERE username LIKE 'bench.%'"))
        db.session.commit()
        seed()
        cipher = app.extensions["field_cipher"]
        index = app.extensions["blind_index"]
        clinic = db.session.execute(select(Organization).where(
            Organization.code == "C001")).scalar_one()
        li = db.session.execute(select(StaffUser).where(
            StaffUser.username == "doctor.li")).scalar_one()
        db.session.execute(text(
            "CREATE TEMP TABLE bench_tail (n int PRIMARY KEY, doc text, phone text) "
            "ON COMMIT DROP"))
        db.session.execute(text("INSERT INTO bench_tail VALUES (:n, :doc, :phone)"), [
            {"n": n, "doc": index.digest(f"{n:04d}", "document_tail"),
             "phone": index.digest(f"{n:04d}", "phone_tail")} for n in range(10_000)])
        doctors = max(1, size // PER_DOCTOR)
        db.session.execute(text(
            "INSERT INTO staff_user (external_id, organization_id, username, display_name, role,"
            " password_hash, failed_login_count, is_active, created_at, updated_at) "
            "SELECT gen_random_uuid(), :org, 'bench.' || k, '基准医生' || k, 'family_doctor',"
            " :hash, 0, true, now(), now() FROM generate_series(2, :doctors) k"),
            {"org": clinic.id, "hash": li.password_hash, "doctors": doctors})
        db.session.execute(text(
            "INSERT INTO account (external_id, wechat_openid, created_at, updated_at) "
            "SELECT gen_random_uuid(), 'bench-' || i, now(), now() "
            "FROM generate_series(1, :n) i"), {"n": size})
        db.session.execute(text(
            "INSERT INTO patient_profile (external_id, account_id, relationship, name, sex,"
            " birth_date, document_type, document_number, document_index, phone, phone_index,"
            " document_tail_index, phone_tail_index, created_at, updated_at) "
            "SELECT gen_random_uuid(), a.id, 'self',"
            " substr(:surnames, 1 + i % 20, 1) || (CAST(:given AS text[]))[1 + (i / 20) % 16],"
            " CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END,"
            " date '1940-01-01' + (i % 20000), 'resident_id', :doc, md5('doc' || i),"
            " :phone, md5('phone' || i), t.doc, t.phone, now(), now() "
            "FROM generate_series(1, :n) i JOIN account a ON a.wechat_openid = 'bench-' || i "
            "JOIN bench_tail t ON t.n = i % 10000"),
            {"n": size, "surnames": SURNAMES, "given": list(GIVEN),
             "doc": cipher.encrypt(SAMPLE_ID), "phone": cipher.encrypt(SAMPLE_PHONE)})
        db.session.execute(text(
            "INSERT INTO signed_resident (staff_id, patient_id, signed_on, created_at,"
            " updated_at) "
            "SELECT coalesce(s.id, :li), p.id, date '2026-01-01', now(), now() "
            "FROM generate_series(1, :n) i JOIN account a ON a.wechat_openid = 'bench-' || i "
            "JOIN patient_profile p ON p.account_id = a.id "
            "LEFT JOIN staff_user s ON s.username = 'bench.' || ((i - 1) / :per + 1)"),
            {"n": size, "per": PER_DOCTOR, "li": li.id})
        _programme_files(db, clinic.id, cipher.encrypt(SAMPLE_ID))
        db.session.commit()
        db.session.execute(text("ANALYZE account, patient_profile, signed_resident, staff_user,"
                                " resident, programme_enrolment, vital_reading"))
        db.session.commit()
    return time.perf_counter() - started


def _filled(app) -> int:
    from backend.extensions import db

    with app.app_context():
        return db.session.execute(text(
            "SELECT count(*) FROM account WHERE wechat_openid LIKE 'bench-%'")).scalar_one()


def _programme_files(db, clinic_id: int, document) -> None:
    """Every resident has a programme file: hypertension (and every third diabetes too), a
    management level 1–3, one in five overdue, under their signed doctor; one in fifty took a
    high blood pressure at home yesterday (the worklist's 异常自测)."""
    db.session.execute(text(
        "INSERT INTO resident (external_id, organization_id, name, sex, birth_date,"
        " document_type, document_number, document_index, patient_id, source, created_at,"
        " updated_at) "
        "SELECT gen_random_uuid(), :org, p.name, p.sex, p.birth_date, 'resident_id', :doc,"
        " 'r' || p.document_index, p.id, 'contract', now(), now() FROM patient_profile p "
        "JOIN account a ON a.id = p.account_id AND a.wechat_openid LIKE 'bench-%'"),
        {"org": clinic_id, "doc": document})
    for programme, every in (("hypertension", 1), ("type2_diabetes", 3)):
        db.session.execute(text(
            "INSERT INTO programme_enrolment (external_id, resident_id, programme, diagnosed_on,"
            " enrolled_on, doctor_id, management_level, plan, next_due_on, next_due_rule,"
            " created_at, updated_at) "
            "SELECT gen_random_uuid(), r.id, :programme, date '2020-01-01', date '2026-01-05',"
            " s.staff_id, 1 + r.id % 3, '{}',"
            " CASE WHEN r.id % 5 = 0 THEN current_date - 7 ELSE current_date + 30 END,"
            " 'first_followup', now(), now() FROM resident r "
            "JOIN signed_resident s ON s.patient_id = r.patient_id WHERE r.id % :every = 0"),
            {"programme": programme, "every": every})
    db.session.execute(text(
        "INSERT INTO vital_reading (external_id, resident_id, measured_at, kind, readings,"
        " symptoms, source, level, findings, created_at, updated_at) "
        "SELECT gen_random_uuid(), r.id, now() - interval '1 day', 'blood_pressure',"
        " '{\"systolic\": 156, \"diastolic\": 94}', '[]', 'manual', 'high',"
        " '{\"emergencies\": [], \"above_target\": []}', now(), now() "
        "FROM resident r WHERE r.id % 50 = 0"))


def _signed_in(app, username: str, password: str):
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    response = client.post("/console/login", data={
        "csrf_token": CSRF.search(page).group(1), "username": username, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"bench: {username} could not sign in to the console")
    return client


def _times(client, path: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"bench: {path} answered {response.status_code}")
        times.append(float(re.search(r"dur=([\d.]+)", response.headers["Server-Timing"])
                           .group(1)))
    return times


def main() -> None:
    from backend.extensions import db
    from backend.models import PatientProfile, SignedResident, StaffUser

    app = prepared_app(RATELIMIT_LOGIN="1000000 per minute", CONSOLE_IDLE_MINUTES=600)
    print(f"\nConsole pages, server-side time (Server-Timing), {ROUNDS} requests each, "
          "one client in process\n")
    print("| residents | page | who | p50 ms | p95 ms |")
    print("| ---: | --- | --- | ---: | ---: |")
    for size in SIZES:
        filled = 0.0 if REUSE and _filled(app) == size else _fill(app, size)
        with app.app_context():
            resident = db.session.execute(
                select(PatientProfile.external_id).join(
                    SignedResident, SignedResident.patient_id == PatientProfile.id)
                .join(StaffUser, StaffUser.id == SignedResident.staff_id)
                .where(StaffUser.username == "doctor.li").limit(1)).scalar_one()
        doctor = _signed_in(app, "doctor.li", "Demo-Doctor-2026")
        admin = _signed_in(app, "admin.east", "Demo-Admin-2026")
        pages = [
            ("工作台 worklist", "family doctor", doctor, "/console/worklist"),
            ("工作台 worklist", "hospital admin", admin, "/console/worklist"),
            ("居民 list, page 1", "family doctor", doctor, "/console/residents"),
            ("居民 list, page 1", "hospital admin", admin, "/console/residents"),
            ("居民 list, page 50", "hospital admin", admin, "/console/residents?page=50"),
            ("search by name 王秀", "hospital admin", admin, "/console/residents?q=王秀"),
            ("search by last four 0013", "hospital admin", admin,
             "/console/residents?q=0013"),
            ("居民 list, overdue + 高危", "family doctor", doctor,
             "/console/residents?overdue=1&risk=3"),
            ("居民 list, overdue + 高血压", "hospital admin", admin,
             "/console/residents?overdue=1&programme=hypertension"),
            ("居民 list, control not yet", "hospital admin", admin,
             "/console/residents?control=not_yet"),
            ("居民 timeline", "family doctor", doctor, f"/console/residents/{resident}"),
        ]
        for label, who, client, path in pages:
            times = sorted(_times(client, path))
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(f"| {size:,} | {label} | {who} | {statistics.median(times):.1f} | "
                  f"{p95:.1f} |")
        print(f"| {size:,} | (filling the database took {filled:.0f} s) | | | |")
