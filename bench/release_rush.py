"""放号: 2,000 patients open the department listing and race for 200 places in the same second.

Each patient reads the listing, asks for a place it shows as free, and on "full" reads the
listing again and tries another, up to five times. Measured: places held against places
offered (never more), 5xx answers (none), and how stale a listing ever was: for every listing
that showed a place as free, how long before the request that place had already been taken
(the last booking's creation time, a moment before its commit; so the figure errs long).
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests
from sqlalchemy import text

PATIENTS = int(os.environ.get("BENCH_RUSH_PATIENTS", "2000"))
SLOTS, PLACES = 20, 10  # 200 places
CLIENTS = int(os.environ.get("BENCH_RUSH_CLIENTS", "64"))
ATTEMPTS = 5
_local = threading.local()


def _http() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def _listing(url: str) -> requests.Response:
    """GET the listing; once more on a fresh connection if the kept-alive one was closed."""
    try:
        return _http().get(url, timeout=60)
    except requests.ConnectionError:
        _local.session = requests.Session()
        return _http().get(url, timeout=60)


def _hold(base: str, auth: dict[str, str], body: dict[str, str]) -> requests.Response:
    """POST a hold as the mini-program does: with an Idempotency-Key, sent once more on a
    fresh connection if the server had just closed the kept-alive one."""
    headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
    try:
        return _http().post(f"{base}/api/v1/mp/bookings", headers=headers, json=body,
                            timeout=60)
    except requests.ConnectionError:
        _local.session = requests.Session()
        return _http().post(f"{base}/api/v1/mp/bookings", headers=headers, json=body,
                            timeout=60)


def race(app, base: str, people, session) -> dict:
    """Run the rush; `people(app, n)` and `session(app, places, slots)` come from the booking
    bench."""
    hospital_id, slot_ids = session(app, PLACES, SLOTS)
    ours = set(slot_ids)
    patients = people(app, PATIENTS)
    departments = requests.get(f"{base}/api/v1/mp/hospitals/{hospital_id}/departments",
                               timeout=10).json()["data"]
    listing = (f"{base}/api/v1/mp/hospitals/{hospital_id}/schedules?department_id="
               + next(d["id"] for d in departments if d["name"] == "心血管内科"))
    views: list[tuple[float, frozenset[str]]] = []
    statuses: list[int] = []
    listing_ms: list[float] = []
    hold_ms: list[float] = []
    lock = threading.Lock()

    def patient(who) -> None:
        profile_id, token = who
        auth = {"Authorization": f"Bearer {token}"}
        for _ in range(ATTEMPTS):
            asked = time.time()
            began = time.perf_counter()
            shown = _listing(listing)
            with lock:
                listing_ms.append((time.perf_counter() - began) * 1000)
                statuses.append(shown.status_code)
            if shown.status_code != 200:
                return
            free = frozenset(slot["id"] for schedule in shown.json()["data"]
                             for slot in schedule["slots"]
                             if slot["id"] in ours and slot["remaining"] > 0)
            with lock:
                views.append((asked, free))
            if not free:
                return
            began = time.perf_counter()
            held = _hold(base, auth, {"patient_id": profile_id,
                                      "slot_id": random.choice(sorted(free))})
            with lock:
                hold_ms.append((time.perf_counter() - began) * 1000)
                statuses.append(held.status_code)
            if held.status_code != 409:
                return

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(patient, patients))
    return {"seconds": time.perf_counter() - began, "slot_ids": slot_ids, "views": views,
            "statuses": statuses, "listing_ms": listing_ms, "hold_ms": hold_ms}


def _filled_at(app, slot_ids: list[str]) -> dict[str, float]:
    """When each full slot took its last place (epoch seconds)."""
    from backend.extensions import db

    with app.app_context():
        rows = db.session.execute(text(
            "SELECT s.external_id, s.booked, s.capacity, max(b.created_at) FROM slot s "
            "JOIN booking b ON b.slot_id = s.id AND b.status IN ('held', 'confirmed') "
            "WHERE s.external_id = ANY(:ids) GROUP BY s.id"),
            {"ids": slot_ids}).all()
    return {str(ext): last.astimezone(UTC).timestamp() for ext, booked, capacity, last in rows
            if booked >= capacity}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else 0.0


def report(result: dict, app) -> str:
    from backend.extensions import db

    bound = app.config["LISTING_CACHE_SECONDS"]
    filled = _filled_at(app, result["slot_ids"])
    staleness = [asked - filled[slot] for asked, free in result["views"] for slot in free
                 if slot in filled and filled[slot] < asked]
    with app.app_context():
        held, oversold = db.session.execute(text(
            "SELECT coalesce(sum(booked), 0), count(*) FILTER (WHERE booked > capacity) "
            "FROM slot WHERE external_id = ANY(:ids)"), {"ids": result["slot_ids"]}).one()
    errors = sum(1 for status in result["statuses"] if status >= 500)
    worst = max(staleness, default=0.0) * 1000
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([
        f"\n放号 ({when}): {PATIENTS} patients, {SLOTS * PLACES} places, {CLIENTS} at a time, "
        f"each listing then holding (up to {ATTEMPTS} tries)\n",
        "| seconds | holds | oversold slots | 5xx | listings | listing p95 ms | hold p95 ms | "
        "listings showing a taken place | oldest such view, ms | bound |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {result['seconds']:.1f} | {held} of {SLOTS * PLACES} | {oversold} | {errors} | "
        f"{len(result['listing_ms'])} | {_p95(result['listing_ms']):.0f} | "
        f"{_p95(result['hold_ms']):.0f} | {len(staleness)} | {worst:.0f} | "
        f"{bound * 1000} (LISTING_CACHE_SECONDS) |"])
