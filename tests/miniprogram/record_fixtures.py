"""Record real backend replies for the mini-program's jest tests (miniprogram/tests/fixtures/).

Run from the repository root:  .venv/bin/python -m tests.miniprogram.record_fixtures [name ...]
(names or prefixes, e.g. ``payment_alipay`` or ``vaccination_``, write only those fixtures;
none writes them all).

Why recorded and not hand-written: the chat tests must follow what the assistant really says
(stages, quick replies, red flags, triage), so when the dialogue changes a re-record shows it.
The script builds the app on a throw-away SQLite file, creates the schema, seeds the demo
hospital group, signs in as the demo patient 张伟 (a session opened directly, as
tests/factories.py does, so no WeChat simulator is needed), pushes one day of schedules as the
demo hospital admin, and drives the patient API through Flask's test client. Payments go
through the local WeChat Pay simulator, whose signed notification reaches the app served on
loopback. Nothing here touches PostgreSQL or Redis. The file name does not start with test_,
so pytest never collects it.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import requests
from flask_migrate import upgrade
from sqlalchemy import select

from backend.app import create_app
from backend.auth import open_session
from backend.demo.followup import seed_followup
from backend.demo.reports import ZHANG_WEI, demo_reports
from backend.demo.runner import start_simulators
from backend.demo.seed import seed
from backend.demo.vaccination import seed_vaccination
from backend.extensions import db
from backend.models import Account, Booking, PaymentOrder, PrincipalKind, VaccinationRecord
from backend.services.reports import hl7_inbound
from backend.timeutil import CLINIC_TZ, local_today
from conversations.speech.audio import encode_audio
from simulators.lis import LisSimulator
from simulators.server import SimulatorServer
from vaccination import programme

ROOT = Path(__file__).resolve().parents[2]

OUT = ROOT / "miniprogram" / "tests" / "fixtures"
DEMO_OPENID = "oDEMO0000000000000000000zhang"
DEMO_ALIPAY_USER_ID = "2088000000000001"  # 周德明, the demo's Alipay patient

# What the patient says first; after that the patient taps a quick reply (see `_answer`), as
# most people do. The red-flag opening is the issue's own example.
TRIAGE_OPENING = "头疼三天了，有点恶心"
RED_FLAG_OPENING = "胸口疼，出冷汗，喘不上气"
SCREENING_OPENING = "最近老睡不着，觉得活着真没意思"  # passive ideation: a screening question
PRE_CONSULTATION_OPENING = "咳嗽一个星期了，有黄痰"
PREFERRED_ANSWERS = ("没有", "都没有", "没有痰", "一周左右")
MAX_TURNS = 40


def _answer(turn: dict[str, Any]) -> str:
    """The tap a typical patient makes: "没有" when offered, otherwise the first option."""
    replies = turn["quick_replies"]
    return next((r for r in PREFERRED_ANSWERS if r in replies), replies[0] if replies else "没有")


def _check(response, status: int) -> dict[str, Any]:
    body = response.get_json()
    if response.status_code != status:
        raise SystemExit(f"{response.request.method} {response.request.path}: "
                         f"{response.status_code} {body}")
    return body


def _schedule(first_start: datetime, department_code: str, his_ref: str) -> dict[str, Any]:
    """A general clinic with four half-hour slots from `first_start` (China Standard Time)."""
    slots = [{"starts_at": (first_start + timedelta(minutes=30 * i)).isoformat(),
              "ends_at": (first_start + timedelta(minutes=30 * (i + 1))).isoformat(),
              "capacity": 5} for i in range(4)]
    return {"his_ref": his_ref, "department_code": department_code, "doctor_id": None,
            "clinic_date": first_start.date().isoformat(),
            "half_day": "am" if first_start.hour < 12 else "pm" if first_start.hour < 18
            else "night", "registration_type": "general", "fee_fen": 1000, "slots": slots}


def _converse(client, headers, patient_id: str, hospital_id: str, mode: str,
              opening: str) -> dict[str, Any]:
    """Talk until the assistant is done (triage, emergency) or asks for the review."""
    started = _check(client.post("/api/v1/mp/conversations", headers=headers, json={
        "patient_id": patient_id, "mode": mode, "hospital_id": hospital_id}), 201)
    conversation_id = started["data"]["id"]
    turns, text = [], opening
    for _ in range(MAX_TURNS):
        reply = _check(client.post(f"/api/v1/mp/conversations/{conversation_id}/messages",
                                   headers=headers, json={"text": text}), 200)
        turns.append({"sent": text, "reply": reply})
        if reply["data"]["done"] or reply["data"]["stage"] == "review":
            break
        text = _answer(reply["data"])
    recorded = {"mode": mode, "start": started, "turns": turns}
    if mode == "pre_consultation":
        recorded["note_draft"] = _check(client.get(
            f"/api/v1/mp/conversations/{conversation_id}/note", headers=headers), 200)
        first = next(s for s in recorded["note_draft"]["data"]["slots"]
                     if s["key"].startswith("allergy."))
        recorded["note_confirmed"] = _check(client.post(
            f"/api/v1/mp/conversations/{conversation_id}/note/confirm", headers=headers,
            json={"edits": [{"key": first["key"], "value": "青霉素"}]}), 201)
        recorded["note_amended"] = _check(client.post(
            f"/api/v1/mp/notes/{recorded['note_confirmed']['data']['id']}/amendments",
            headers=headers, json={"edits": [{"key": first["key"], "value": "青霉素、头孢"}],
                                   "reason": "想起来对头孢也过敏"}), 201)
    recorded["resume"] = _check(client.get(f"/api/v1/mp/conversations/{conversation_id}",
                                           headers=headers), 200)
    return recorded


def _pay(client, app, simulators, headers, booking_id: str, key: str) -> dict[str, Any]:
    """Start the payment, then have the WeChat Pay simulator pay it and notify the backend."""
    payment = _check(client.post(f"/api/v1/mp/bookings/{booking_id}/payments",
                                 headers={**headers, "Idempotency-Key": key},
                                 json={"channel": "wechat"}), 201)
    with app.app_context():
        order = db.session.execute(
            select(PaymentOrder).join(Booking, PaymentOrder.booking_id == Booking.id)
            .where(Booking.external_id == UUID(booking_id))).scalars().first()
        out_trade_no = order.out_trade_no
    paid = requests.post(simulators.url("wechatpay") + "/_sim/pay",
                         json={"out_trade_no": out_trade_no}, timeout=30)
    paid.raise_for_status()
    return payment


def _book(client, headers, patient_id: str, slot_id: str, key: str) -> dict[str, Any]:
    return _check(client.post("/api/v1/mp/bookings", headers={**headers, "Idempotency-Key": key},
                              json={"patient_id": patient_id, "slot_id": slot_id}), 201)


def _record_bookings(client, app, simulators, headers, admin_headers, patient_id: str,
                     files: dict[str, Any]) -> None:
    """Hold, pay, confirm, check in, queue and cancel, as the booking pages do."""
    slot_id = files["schedules"]["data"][0]["slots"][0]["id"]
    files["booking_held"] = _book(client, headers, patient_id, slot_id, "record-book-00001")
    booking_id = files["booking_held"]["data"]["id"]
    files["payment"] = _pay(client, app, simulators, headers, booking_id, "record-pay-00001")
    files["booking_confirmed"] = _check(client.get(f"/api/v1/mp/bookings/{booking_id}",
                                                   headers=headers), 200)
    files["subscriptions"] = _check(client.get("/api/v1/mp/subscriptions", headers=headers), 200)
    files["subscriptions_saved"] = _check(client.put(
        "/api/v1/mp/subscriptions", headers=headers, json={"results": {
            "tmpl-booked": "accept", "tmpl-reminder": "accept", "tmpl-cancelled": "reject"}}), 200)
    files["error_check_in_early"] = _check(client.post(
        f"/api/v1/mp/bookings/{booking_id}/check-in", headers=headers), 409)

    # A session starting in 20 minutes: inside the check-in window.
    soon = (datetime.now(CLINIC_TZ) + timedelta(minutes=20)).replace(second=0, microsecond=0)
    pushed = _check(client.put("/api/v1/admin/schedules", headers=admin_headers, json={
        "schedules": [_schedule(soon, "CARD", "REC-CARD-NOW")]}), 200)
    today_slot = pushed["data"][0]["slots"][0]["id"]
    today = _book(client, headers, patient_id, today_slot, "record-book-00002")["data"]["id"]
    _pay(client, app, simulators, headers, today, "record-pay-00002")
    files["booking_checked_in"] = _check(client.post(
        f"/api/v1/mp/bookings/{today}/check-in", headers=headers), 200)
    files["queue"] = _check(client.get(f"/api/v1/mp/bookings/{today}/queue", headers=headers),
                            200)
    files["booking_cancelled"] = _check(client.post(
        f"/api/v1/mp/bookings/{booking_id}/cancel", headers=headers, json={}), 200)
    files["bookings"] = _check(client.get("/api/v1/mp/bookings", headers=headers), 200)


def _record_alipay_payment(client, app, simulators, files: dict[str, Any]) -> None:
    """The demo's Alipay patient 周德明 holds a slot and pays it with Alipay: the backend's
    answer carries the `tradeNO` for my.tradePay; the Alipay simulator then pays the trade
    (as the cashier would) and notifies the backend."""
    with app.app_context():
        account = db.session.execute(select(Account).where(
            Account.alipay_user_id == DEMO_ALIPAY_USER_ID)).scalar_one()
        _, token = open_session(kind=PrincipalKind.ACCOUNT, channel="alipay",
                                account_id=account.id)
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    people = _check(client.get("/api/v1/mp/profiles", headers=headers), 200)["data"]
    patient = next(p for p in people if p["relationship"] == "self")
    slot_id = files["schedules"]["data"][0]["slots"][1]["id"]
    booking = _book(client, headers, patient["id"], slot_id, "record-book-ali01")["data"]
    files["payment_alipay"] = _check(client.post(
        f"/api/v1/mp/bookings/{booking['id']}/payments",
        headers={**headers, "Idempotency-Key": "record-pay-ali01"}, json={"channel": "alipay"}),
        201)
    paid = requests.post(simulators.url("alipay") + "/_sim/trades/pay",
                         json={"out_trade_no": files["payment_alipay"]["data"]["out_trade_no"]},
                         timeout=30)
    paid.raise_for_status()
    files["booking_confirmed_alipay"] = _check(client.get(
        f"/api/v1/mp/bookings/{booking['id']}", headers=headers), 200)


def _record_reports(client, app, headers, patient_id: str, files: dict[str, Any]) -> None:
    """The demo LIS's reports for 张伟, an older blood count (for the trend) and a corrected
    lipid panel, stored through the HL7 inbound path as the MLLP listener would."""
    today = datetime.now(CLINIC_TZ)
    reports = demo_reports(today)
    earlier = replace(reports[0], accession="DEMO-L0000", collected=today - timedelta(days=30),
                      reported=today - timedelta(days=30) + timedelta(hours=2),
                      results=tuple(replace(r, value="131", flag="") if r.code == "HGB" else r
                                    for r in reports[0].results))
    lipids = reports[1]
    corrected = replace(lipids, status="C", reported=lipids.reported + timedelta(hours=3),
                        results=tuple(replace(r, value="3.6") if r.code == "LDL-C" else r
                                      for r in lipids.results))
    lis = LisSimulator("H001")
    with app.app_context():
        for report in (earlier, *reports, corrected):
            ack = hl7_inbound.handle(lis.oru(ZHANG_WEI, report))
            if b"MSA|AA" not in ack:
                raise SystemExit(f"the demo report {report.accession} was refused: {ack!r}")
    listed = _check(client.get("/api/v1/mp/reports", headers=headers,
                               query_string={"patient_id": patient_id}), 200)
    files["reports"] = listed
    by_title: dict[str, str] = {}
    for report in listed["data"]:  # newest first: the latest report of each title
        by_title.setdefault(report["title"], report["id"])
    for name, title in (("report_cbc", "血常规"), ("report_critical", "电解质"),
                        ("report_ct", "胸部CT平扫"), ("report_corrected", "血脂四项")):
        files[name] = _check(client.get(f"/api/v1/mp/reports/{by_title[title]}",
                                        headers=headers), 200)
    files["report_trend"] = _check(client.get("/api/v1/mp/reports/trend", headers=headers,
                                              query_string={"patient_id": patient_id,
                                                            "test_code": "HGB"}), 200)


def _record_vitals(client, headers, profiles: list[dict[str, Any]],
                   files: dict[str, Any]) -> None:
    """张伟's father 张建国 is in the demo's hypertension and diabetes programmes: his readings,
    a high one, an urgent one, a mistyped one; 张伟 himself is in no programme."""
    father = next(p for p in profiles if p["name"] == "张建国")
    me = next(p for p in profiles if p["relationship"] == "self")

    def post(body: dict[str, Any], status: int) -> dict[str, Any]:
        return _check(client.post("/api/v1/mp/vitals", headers=headers,
                                  json={"patient_id": father["id"], **body}), status)

    files["vitals_high"] = post({"kind": "blood_pressure", "systolic": 146, "diastolic": 88,
                                 "pulse": 76}, 201)
    files["vitals_normal"] = post({"kind": "glucose", "glucose": 6.2, "timing": "fasting"}, 201)
    files["vitals_urgent"] = post({"kind": "blood_pressure", "systolic": 186, "diastolic": 112,
                                   "symptoms": ["severe_headache"]}, 201)
    files["vitals_error"] = post({"kind": "blood_pressure", "systolic": 400, "diastolic": 80},
                                 422)
    files["vitals_history"] = _check(client.get("/api/v1/mp/vitals", headers=headers,
                                                query_string={"patient_id": father["id"],
                                                              "days": 30}), 200)
    files["vitals_not_enrolled"] = _check(client.get(
        "/api/v1/mp/vitals", headers=headers, query_string={"patient_id": me["id"]}), 404)
    # after the history, so recording these leaves it as it was
    files["vitals_body_spo2_urgent"] = post({"kind": "spo2", "spo2": 88}, 201)
    files["vitals_body_fever"] = post({"kind": "temperature", "temperature": 37.8}, 201)
    files["vitals_body_error"] = post({"kind": "weight", "weight": 70, "height_cm": 60}, 422)


def _record_questionnaire(client, headers, profiles: list[dict[str, Any]],
                          files: dict[str, Any]) -> None:
    """张建国's between-visit questionnaire: the questions, a calm answer (waits for the doctor),
    an urgent one (120), and one missing the medicine question."""
    father = next(p for p in profiles if p["name"] == "张建国")
    calm = {"symptoms": [], "adherence": "regular", "hypoglycaemia": "none", "salt": "light",
            "exercise_times_per_week": 5, "exercise_minutes": 30}

    def post(answers: dict[str, Any], readings: dict[str, float], status: int) -> dict[str, Any]:
        return _check(client.post("/api/v1/mp/followup/questionnaire", headers=headers, json={
            "patient_id": father["id"], "answers": answers, "readings": readings}), status)

    files["followup_questionnaire"] = _check(client.get(
        "/api/v1/mp/followup/questionnaire", headers=headers,
        query_string={"patient_id": father["id"]}), 200)
    files["followup_answer"] = post(calm, {"systolic": 132, "diastolic": 82,
                                           "fasting_glucose": 6.4}, 201)
    files["followup_answer_urgent"] = post({**calm, "symptoms": ["severe_headache"]},
                                           {"systolic": 184, "diastolic": 108,
                                            "fasting_glucose": 6.8}, 201)
    files["followup_education"] = _check(client.get(
        "/api/v1/mp/education", headers=headers, query_string={"patient_id": father["id"]}), 200)
    first = files["followup_education"]["data"][0]["id"]
    files["followup_education_read"] = _check(client.post(
        f"/api/v1/mp/education/{first}/read", headers=headers), 200)
    files["followup_consent"] = _check(client.get(
        "/api/v1/mp/followup/reminder-consent", headers=headers,
        query_string={"patient_id": father["id"]}), 200)
    files["followup_consent_saved"] = _check(client.put(
        "/api/v1/mp/followup/reminder-consent", headers=headers,
        json={"patient_id": father["id"], "sms": True}), 200)
    risk = "/api/v1/mp/followup/risk-factors"
    files["followup_risk_factors_empty"] = _check(client.get(
        risk, headers=headers, query_string={"patient_id": father["id"]}), 200)
    files["followup_risk_factors_saved"] = _check(client.post(risk, headers=headers, json={
        "patient_id": father["id"], "waist_cm": 88, "current_smoker": "no"}), 201)
    files["followup_risk_factors"] = _check(client.get(
        risk, headers=headers, query_string={"patient_id": father["id"]}), 200)
    files["followup_risk_factors_error"] = _check(client.post(risk, headers=headers, json={
        "patient_id": father["id"], "waist_cm": 300}), 422)
    files["followup_answer_error"] = post({k: v for k, v in calm.items() if k != "adherence"},
                                          {"systolic": 132, "diastolic": 82,
                                           "fasting_glucose": 6.4}, 422)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
APPROVE = re.compile(r'action="/console/portraits/([0-9a-f-]{36})/approve"')


def _console_post(client, page_url: str, action: str) -> None:
    """A console form sent as the signed-in doctor sends it: with the page's CSRF token."""
    page = client.get(page_url)
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    answer = client.post(action, data={"csrf_token": token})
    if answer.status_code != 302:
        raise SystemExit(f"POST {action}: {answer.status_code}")


def _record_portrait(app, profiles: list[dict[str, Any]], files: dict[str, Any],
                     headers) -> None:
    """张建国's family doctor 李红梅 builds and approves his portrait in the console; before that
    the mini-program hears it is not approved yet."""
    father = next(p for p in profiles if p["name"] == "张建国")
    client = app.test_client()
    files["portrait_not_approved"] = _check(client.get(
        "/api/v1/mp/portrait", headers=headers, query_string={"patient_id": father["id"]}), 404)
    console = app.test_client()
    login = console.get("/console/login").get_data(as_text=True)
    signed_in = console.post("/console/login", data={
        "csrf_token": CSRF.search(login).group(1), "username": "doctor.li",
        "password": "Demo-Doctor-2026"})
    if signed_in.status_code != 302:
        raise SystemExit(f"console login: {signed_in.status_code}")
    page = f"/console/residents/{father['id']}"
    _console_post(console, page, f"{page}/portrait")
    portrait_id = APPROVE.search(console.get(page).get_data(as_text=True)).group(1)
    _console_post(console, page, f"/console/portraits/{portrait_id}/approve")
    files["portrait_approved"] = _check(client.get(
        "/api/v1/mp/portrait", headers=headers, query_string={"patient_id": father["id"]}), 200)


def _record_vaccination(client, app, headers, files: dict[str, Any]) -> None:
    """张伟's children as `make demo` seeds them: what is due, booking the 接种门诊 at the
    community centre, the health questionnaire, a dose given (留观 running, then over — the
    30 minutes are moved into the past in the database, as the clock would) and the after-care
    answers, mild and serious."""
    with app.app_context():
        seed_vaccination()
    files["vaccination_profiles"] = _check(client.get("/api/v1/mp/profiles", headers=headers),
                                           200)
    child = {p["name"]: p["id"] for p in files["vaccination_profiles"]["data"]}
    xiaoman, zihan = child["张小满"], child["张子涵"]
    files["vaccination_child"] = _check(client.get(
        f"/api/v1/mp/children/{xiaoman}/vaccination", headers=headers), 200)
    files["vaccination_child_overdue"] = _check(client.get(
        f"/api/v1/mp/children/{zihan}/vaccination", headers=headers), 200)
    centre = next(h for h in _check(client.get("/api/v1/mp/hospitals"), 200)["data"]
                  if h["code"] == "C001")
    prev = next(d for d in _check(client.get(
        f"/api/v1/mp/hospitals/{centre['id']}/departments"), 200)["data"] if d["code"] == "PREV")
    east = _check(client.post("/api/v1/admin/auth/login", json={
        "username": "admin.east", "password": "Demo-Admin-2026"}), 200)
    tomorrow = local_today() + timedelta(days=1)
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 8, tzinfo=CLINIC_TZ)
    session = {**_schedule(start, "PREV", "REC-PREV-1"), "fee_fen": 0}
    _check(client.put("/api/v1/admin/schedules", json={"schedules": [session]},
                      headers={"Authorization": f"Bearer {east['data']['token']}"}), 200)
    files["vaccination_schedules"] = _check(client.get(
        f"/api/v1/mp/hospitals/{centre['id']}/schedules",
        query_string={"department_id": prev["id"]}), 200)
    slot = files["vaccination_schedules"]["data"][0]["slots"][0]["id"]
    files["vaccination_booking"] = _check(client.post(
        "/api/v1/mp/vaccination/bookings", headers=headers,
        json={"child_id": xiaoman, "slot_id": slot}), 201)
    booking_id = files["vaccination_booking"]["data"]["id"]
    files["vaccination_error_same_day"] = _check(client.post(
        "/api/v1/mp/vaccination/bookings", headers=headers,
        json={"child_id": xiaoman, "slot_id": slot}), 409)
    files["vaccination_health_questions"] = _check(client.get(
        "/api/v1/mp/vaccination/health-questions", headers=headers), 200)
    answers = {q["id"]: {"yes": False}
               for q in files["vaccination_health_questions"]["data"]["questions"]}
    answers["other_allergy"] = {"yes": True, "detail": "鸡蛋过敏"}
    files["vaccination_screening"] = _check(client.put(
        f"/api/v1/mp/bookings/{booking_id}/vaccination-screening", headers=headers,
        json={"answers": answers}), 200)
    nurse = _check(client.post("/api/v1/admin/auth/login", json={
        "username": "nurse.east", "password": "Demo-Nurse-2026"}), 200)
    nurse_headers = {"Authorization": f"Bearer {nurse['data']['token']}"}
    due = [d for d in files["vaccination_child"]["data"]["assessment"]["doses"]
           if d["state"] in ("due", "overdue")]
    codes = {v.name: code for code, v in programme().vaccines.items()}
    records = []
    for dose in due[:2]:
        given = _check(client.post(
            f"/api/v1/admin/vaccination/children/{xiaoman}/doses", headers=nurse_headers,
            json={"vaccine": codes[dose["vaccines"][0]], "dose": dose["dose"],
                  "booking_id": booking_id, "lot_number": "202611A01", "site": "左上臂"}), 201)
        records.append(given["data"]["id"])
    files["vaccination_observation"] = _check(client.get(
        f"/api/v1/mp/vaccination/records/{records[0]}/observation", headers=headers), 200)
    with app.app_context():
        row = db.session.execute(select(VaccinationRecord).where(
            VaccinationRecord.external_id == UUID(records[0]))).scalar_one()
        row.observe_until = row.given_at - timedelta(seconds=1)  # 30 minutes later
        db.session.commit()
    files["vaccination_observation_done"] = _check(client.get(
        f"/api/v1/mp/vaccination/records/{records[0]}/observation", headers=headers), 200)
    files["vaccination_after_care_questions"] = _check(client.get(
        "/api/v1/mp/vaccination/after-care-questions", headers=headers), 200)
    well = {q["id"]: q["choices"][0]["id"]
            for q in files["vaccination_after_care_questions"]["data"]["questions"]}
    files["vaccination_after_care_watch"] = _check(client.post(
        f"/api/v1/mp/vaccination/records/{records[0]}/after-care", headers=headers,
        json={"answers": {**well, "fever": "low"}}), 201)
    files["vaccination_after_care_aefi"] = _check(client.post(
        f"/api/v1/mp/vaccination/records/{records[1]}/after-care", headers=headers,
        json={"answers": {**well, "fever": "high", "convulsion": "seen"}}), 201)


def _upload(client, url: str, headers, recording: bytes, fmt: str):
    return client.post(url, headers=headers, content_type="multipart/form-data",
                       query_string={"format": fmt},
                       data={"audio": (io.BytesIO(recording), f"voice.{fmt}")})


def _record_voice(client, headers, patient_id: str, hospital_id: str,
                  files: dict[str, Any]) -> None:
    """A spoken red flag in a pre-consultation (the committed corpus recording rf01, heard by
    the offline recognizer), silence refused, and a text read aloud."""
    from tests import speech_support

    started = _check(client.post("/api/v1/mp/conversations", headers=headers, json={
        "patient_id": patient_id, "mode": "pre_consultation", "hospital_id": hospital_id}), 201)
    voice_url = f"/api/v1/mp/conversations/{started['data']['id']}/voice"
    files["chat_voice"] = {
        "start": started,
        "voice": _check(_upload(client, voice_url, headers,
                                speech_support.encoded("rf01", "mp3"), "mp3"), 200),
    }
    files["error_nothing_heard"] = _check(_upload(
        client, voice_url, headers, b"\x00\x00" * 32000, "pcm"), 422)
    files["speech_speak"] = _check(client.post("/api/v1/mp/speech", headers=headers, json={
        "text": started["data"]["last_turn"]["text"]}), 201)
    # A reading said aloud for the 血压血糖 form, in the offline voice.
    said = speech_support.synthesizer().synthesize("血压一百四十五，八十八，心跳七十二。")
    mp3 = encode_audio(speech_support.audio_of_wav(said), "mp3")
    files["speech_transcription"] = _check(_upload(
        client, "/api/v1/mp/speech/transcriptions", headers, mp3, "mp3"), 200)


def record(out: Path = OUT, only: set[str] | None = None) -> list[Path]:
    simulators = start_simulators()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/record.db", "REDIS_URL": "",
                          "FRONTDOOR_ENV": "development", "LOG_LEVEL": "WARNING",
                          "LOG_JSON": False, "RATELIMIT_ENABLED": False, "JOBS_INLINE": True,
                          **simulators.config})
        server = SimulatorServer(app).start()  # the gateway's notifications need real HTTP
        app.config["PAYMENT_NOTIFY_BASE_URL"] = server.url
        with app.app_context():
            upgrade()  # the migrations, as production builds its schema
            seed()
            seed_followup()
            account = db.session.execute(
                select(Account).where(Account.wechat_openid == DEMO_OPENID)).scalar_one()
            _, token = open_session(kind=PrincipalKind.ACCOUNT, channel="wechat",
                                    account_id=account.id)
            db.session.commit()
            tomorrow = local_today() + timedelta(days=1)
            tomorrow_8am = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 8,
                                    tzinfo=CLINIC_TZ)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        files: dict[str, Any] = {}
        files["me"] = _check(client.get("/api/v1/mp/me", headers=headers), 200)
        files["profiles"] = _check(client.get("/api/v1/mp/profiles", headers=headers), 200)
        files["hospitals"] = _check(client.get("/api/v1/mp/hospitals"), 200)
        hospital = next(h for h in files["hospitals"]["data"] if h["code"] == "H001")
        files["departments"] = _check(
            client.get(f"/api/v1/mp/hospitals/{hospital['id']}/departments"), 200)
        files["error_validation"] = _check(client.post(
            "/api/v1/mp/profiles", headers=headers, json={
                "relationship": "child", "name": "张小明",
                "document_number": "110105201901010000"}), 422)
        files["error_unauthenticated"] = _check(client.get(
            "/api/v1/mp/me", headers={"Authorization": "Bearer expired"}), 401)

        admin = _check(client.post("/api/v1/admin/auth/login", json={
            "username": "admin.h001", "password": "Demo-Admin-2026"}), 200)
        admin_headers = {"Authorization": f"Bearer {admin['data']['token']}"}
        _check(client.put("/api/v1/admin/schedules", headers=admin_headers, json={"schedules": [
            _schedule(tomorrow_8am, "NEUR", "REC-NEUR-1"),
            _schedule(tomorrow_8am, "CARD", "REC-CARD-1")]}), 200)
        neurology = next(d for d in files["departments"]["data"] if d["code"] == "NEUR")
        files["schedules"] = _check(client.get(
            f"/api/v1/mp/hospitals/{hospital['id']}/schedules",
            query_string={"department_id": neurology["id"]}), 200)

        patient = next(p for p in files["profiles"]["data"] if p["relationship"] == "self")
        files["chat_triage"] = _converse(client, headers, patient["id"], hospital["id"],
                                         "triage", TRIAGE_OPENING)
        files["chat_red_flag"] = _converse(client, headers, patient["id"], hospital["id"],
                                           "triage", RED_FLAG_OPENING)
        files["chat_screening"] = _converse(client, headers, patient["id"], hospital["id"],
                                            "triage", SCREENING_OPENING)
        files["chat_pre_consultation"] = _converse(client, headers, patient["id"],
                                                   hospital["id"], "pre_consultation",
                                                   PRE_CONSULTATION_OPENING)
        # One left half-way, as a patient who closed the mini-program would: offered for resume.
        unfinished = _check(client.post("/api/v1/mp/conversations", headers=headers, json={
            "patient_id": patient["id"], "mode": "triage", "hospital_id": hospital["id"]}), 201)
        _check(client.post(f"/api/v1/mp/conversations/{unfinished['data']['id']}/messages",
                           headers=headers, json={"text": "头晕"}), 200)
        files["conversations_unfinished"] = _check(client.get(
            "/api/v1/mp/conversations", headers=headers,
            query_string={"unfinished": "true"}), 200)
        _record_voice(client, headers, patient["id"], hospital["id"], files)
        _record_bookings(client, app, simulators, headers, admin_headers, patient["id"], files)
        _record_alipay_payment(client, app, simulators, files)
        _record_reports(client, app, headers, patient["id"], files)
        _record_vitals(client, headers, files["profiles"]["data"], files)
        _record_questionnaire(client, headers, files["profiles"]["data"], files)
        _record_portrait(app, files["profiles"]["data"], files, headers)
        _record_vaccination(client, app, headers, files)
        server.stop()
    simulators.stop()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in files.items():
        if only and not any(name == o or name.startswith(o) for o in only):
            continue
        path = out / f"{name}.json"
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for path in record(only=set(sys.argv[1:]) or None):
        print(path.relative_to(ROOT))
