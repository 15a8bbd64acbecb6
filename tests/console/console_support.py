"""Signing in to the console through its own login form (CSRF token and all), and the data
the console tests share: a hospital with a critical value, a signed resident with reports."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    Booking,
    ConversationSession,
    Department,
    Organization,
    PatientProfile,
    PreVisitNote,
    Schedule,
    Slot,
)
from backend.services.reports.hl7_inbound import handle
from backend.timeutil import CLINIC_TZ, local_today, utcnow
from tests import factories as f
from tests import report_support as rs

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, username: str, password: str = f.STAFF_PASSWORD):
    page = client.get("/console/login")
    assert page.status_code == 200
    return client.post("/console/login", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "username": username, "password": password})


def receive(*names_or_bytes) -> None:
    for item in names_or_bytes:
        raw = rs.fixture(item) if isinstance(item, str) else item
        assert rs.msa(handle(raw).strip(b"\x0b\x1c\r"))[0] == "AA"


def hgb_later():
    """The blood count again two weeks later, so 血红蛋白 has a course to chart."""
    return rs.edited("cbc", ("|LIS0001|", "|LIS0021|"), ("|L20261201001|", "|L20261215001|"),
                     ("|20261201071500|", "|20261215071500|"), ("||118|g/L|", "||121|g/L|"))


def visit_today_with_note(hospital: Organization, patient: PatientProfile, department: str,
                          hour: int, narrative: str, red_flag: str | None = None,
                          complaint: str = "胸闷") -> PreVisitNote:
    """A paid booking today in `department` and the pre-visit note the patient confirmed."""
    dept = db.session.execute(select(Department).where(
        Department.organization_id == hospital.id, Department.code == department)
    ).scalar_one_or_none()
    if dept is None:
        dept = Department(organization_id=hospital.id, code=department, name="心血管内科",
                          category="内科")
        db.session.add(dept)
        db.session.flush()
    day = local_today()
    start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=CLINIC_TZ)
    schedule = Schedule(organization_id=hospital.id, department_id=dept.id,
                        his_ref=f"{department}-{day:%Y%m%d}-{hour}-{patient.id}", clinic_date=day,
                        half_day="am" if hour < 12 else "pm", registration_type="general",
                        fee_fen=1500, release_at=utcnow() - timedelta(days=7))
    db.session.add(schedule)
    db.session.flush()
    slot = Slot(schedule_id=schedule.id, starts_at=start, ends_at=start + timedelta(minutes=30),
                capacity=5, booked=1)
    db.session.add(slot)
    db.session.flush()
    db.session.add(Booking(account_id=patient.account_id, patient_id=patient.id,
                           organization_id=hospital.id, department_id=dept.id,
                           schedule_id=schedule.id, slot_id=slot.id, clinic_date=day,
                           fee_fen=1500, status="confirmed", confirmed_at=utcnow()))
    conversation = ConversationSession(
        account_id=patient.account_id, patient_id=patient.id, organization_id=hospital.id,
        mode="pre_consultation", stage="done", state={}, last_turn={},
        red_flag_rule=red_flag, red_flag_words=["胸口疼，一身大汗"] if red_flag else None,
        finished_at=utcnow())
    db.session.add(conversation)
    db.session.flush()
    note = PreVisitNote(session_id=conversation.id, patient_id=patient.id, version=1,
                        slots=[{"key": "chief_complaint.symptom", "label": "主诉",
                                "value": complaint, "display": complaint, "words": complaint,
                                "turn": 1, "source": "patient"}],
                        narrative=narrative, red_flag_rule=red_flag,
                        confirmed_at=utcnow() - timedelta(hours=1))
    db.session.add(note)
    db.session.commit()
    return note
