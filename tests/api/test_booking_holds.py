"""Holding a slot: the rules a hospital sets, and a place that is never sold twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.bookings import expire_due_holds
from backend.models import AuditEntry, Booking, Department, Doctor
from backend.services import audit_seal, audit_verify
from backend.timeutil import utcnow
from tests import booking_support as b
from tests.conftest import make_app


@pytest.fixture(scope="module")
def inline_app(app, simulators):
    return make_app(simulators, JOBS_INLINE=True)


@pytest.fixture()
def client(inline_app):
    with inline_app.app_context():
        yield inline_app.test_client()
        db.session.remove()


def test_a_hold_takes_one_place_until_it_is_paid(client):
    clinic = b.open_clinic(client)
    who = b.patient()
    held = b.hold(client, who, clinic.slot_ids[0])
    assert held.status_code == 201, held.json
    booking = held.json["data"]
    assert booking["status"] == "held" and booking["status_label"] == "待支付"
    assert booking["department"]["name"] == "心血管内科" and booking["fee_fen"] == 1500
    assert booking["can_cancel"] is True and booking["payment"] is None
    assert b.remaining(clinic.slot_ids[0]) == 2


def test_the_same_request_sent_twice_makes_one_hold(client):
    b.open_clinic(client, days_ahead=3)  # seeds the hospital and its doctors
    doctor = db.session.execute(select(Doctor).join(Department).where(
        Department.code == "CARD")).scalars().first()
    clinic = b.open_clinic(client, doctor_id=str(doctor.external_id))
    who = b.patient()
    first = b.hold(client, who, clinic.slot_ids[0], key="tap-0001-abcdef")
    again = b.hold(client, who, clinic.slot_ids[0], key="tap-0001-abcdef")
    assert (first.status_code, again.status_code) == (201, 200)
    # The retry answers through BookingSchema; the first answer, built directly, is the same.
    assert first.get_data() == again.get_data()
    assert first.json["data"]["doctor"] is not None and first.json["data"]["payment"] is None
    assert b.remaining(clinic.slot_ids[0]) == 2


def test_a_full_slot_is_refused_and_nothing_is_oversold(client):
    clinic = b.open_clinic(client, capacity=1)
    assert b.hold(client, b.patient(), clinic.slot_ids[0]).status_code == 201
    refused = b.hold(client, b.patient(), clinic.slot_ids[0])
    assert refused.status_code == 409 and refused.json["error"]["code"] == "slot_full"
    assert b.remaining(clinic.slot_ids[0]) == 0


def test_one_booking_per_person_per_department_per_day(client):
    clinic = b.open_clinic(client)
    who = b.patient()
    assert b.hold(client, who, clinic.slot_ids[0]).status_code == 201
    second = b.hold(client, who, clinic.slot_ids[1])
    assert second.status_code == 409 and second.json["error"]["code"] == "duplicate_booking"
    assert b.remaining(clinic.slot_ids[1]) == 3


def test_a_hospital_limits_active_bookings_per_person(client):
    clinic = b.open_clinic(client)
    other_day = b.open_clinic(client, days_ahead=3)
    changed = client.patch("/api/v1/admin/booking-rules", headers=clinic.admin,
                           json={"max_active_bookings": 1})
    assert changed.status_code == 200 and changed.json["data"]["max_active_bookings"] == 1
    who = b.patient()
    assert b.hold(client, who, clinic.slot_ids[0]).status_code == 201
    refused = b.hold(client, who, other_day.slot_ids[0])
    assert refused.status_code == 409 and refused.json["error"]["code"] == "too_many_bookings"


def test_booking_rules_outside_their_range_are_refused(client):
    clinic = b.open_clinic(client)
    bad = client.patch("/api/v1/admin/booking-rules", headers=clinic.admin,
                       json={"hold_minutes": 0})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "rules.hold_minutes"
    for not_an_integer in (1.5, "20"):
        loose = client.patch("/api/v1/admin/booking-rules", headers=clinic.admin,
                             json={"hold_minutes": not_an_integer})
        assert loose.status_code == 422 and loose.json["error"]["field"] == "hold_minutes"


def test_a_cancel_reason_in_plain_text_is_refused_not_dropped(client):
    clinic = b.open_clinic(client)
    who = b.patient()
    booking = b.hold(client, who, clinic.slot_ids[0]).json["data"]
    url = f"/api/v1/mp/bookings/{booking['id']}/cancel"
    text = client.post(url, headers=who.headers, data='{"reason": "临时有事"}',
                       content_type="text/plain")
    assert text.status_code == 415 and text.json["error"]["code"] == "unsupported_media_type"
    assert b.remaining(clinic.slot_ids[0]) == 2  # not cancelled without its reason


@pytest.mark.parametrize(("department", "birth", "male"), [
    ("PEDI", date(1980, 1, 1), True),  # an adult in paediatrics
    ("GYNE", date(1990, 1, 1), True),  # a man in gynaecology
])
def test_department_age_and_sex_limits(client, department, birth, male):
    clinic = b.open_clinic(client, department=department)
    refused = b.hold(client, b.patient(birth=birth, male=male), clinic.slot_ids[0])
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "department_not_suitable"


def test_a_child_can_book_paediatrics(client):
    clinic = b.open_clinic(client, department="PEDI")
    child = b.patient(birth=date.today() - timedelta(days=3 * 365))
    assert b.hold(client, child, clinic.slot_ids[0]).status_code == 201


def test_three_no_shows_in_ninety_days_suspend_online_booking(client):
    clinic = b.open_clinic(client)
    who = b.patient()
    first = b.hold(client, who, clinic.slot_ids[0]).json["data"]["id"]
    booking = db.session.execute(select(Booking).where(Booking.external_id == first)).scalar_one()
    template = {c: getattr(booking, c) for c in (
        "account_id", "patient_id", "organization_id", "department_id", "doctor_id",
        "schedule_id", "slot_id", "fee_fen")}
    db.session.delete(booking)
    for days_ago in (5, 20, 40):
        db.session.add(Booking(**template, status="no_show",
                               clinic_date=utcnow().date() - timedelta(days=days_ago)))
    db.session.commit()
    refused = b.hold(client, who, clinic.slot_ids[0])
    assert refused.status_code == 409 and refused.json["error"]["code"] == "booking_suspended"
    assert "窗口" in refused.json["error"]["message"]


def test_an_unpaid_hold_returns_to_the_pool_by_itself(client):
    clinic = b.open_clinic(client)
    who = b.patient()
    booking = b.hold(client, who, clinic.slot_ids[0]).json["data"]
    assert b.remaining(clinic.slot_ids[0]) == 2
    expire_due_holds()
    assert b.remaining(clinic.slot_ids[0]) == 2  # not yet due
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert expire_due_holds() == 1
    assert b.remaining(clinic.slot_ids[0]) == 3
    shown = client.get(f"/api/v1/mp/bookings/{booking['id']}", headers=who.headers).json["data"]
    assert shown["status"] == "expired" and shown["can_cancel"] is False


def test_cancelling_a_hold_frees_the_place(client):
    clinic = b.open_clinic(client)
    who = b.patient()
    booking = b.hold(client, who, clinic.slot_ids[0]).json["data"]
    cancelled = client.post(f"/api/v1/mp/bookings/{booking['id']}/cancel", headers=who.headers,
                            json={})
    assert cancelled.status_code == 200 and cancelled.json["data"]["status"] == "cancelled"
    assert b.remaining(clinic.slot_ids[0]) == 3
    assert b.hold(client, who, clinic.slot_ids[1]).status_code == 201  # the day is free again


def test_nobody_else_sees_or_cancels_my_booking(client):
    clinic = b.open_clinic(client)
    mine = b.hold(client, b.patient(), clinic.slot_ids[0]).json["data"]["id"]
    stranger = b.patient()
    assert client.get(f"/api/v1/mp/bookings/{mine}", headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/mp/bookings/{mine}/cancel", headers=stranger.headers,
                       json={}).status_code == 404
    assert client.get("/api/v1/mp/bookings", headers=stranger.headers).json["data"] == []


def test_someone_elses_family_member_cannot_be_booked(client):
    clinic = b.open_clinic(client)
    owner, stranger = b.patient(), b.patient()
    refused = client.post("/api/v1/mp/bookings", headers=stranger.headers,
                          json={"patient_id": owner.profile_id, "slot_id": clinic.slot_ids[0]})
    assert refused.status_code == 404
    assert b.remaining(clinic.slot_ids[0]) == 3


def test_a_stopped_session_cannot_be_held(client):
    clinic = b.open_clinic(client)
    client.post(f"/api/v1/admin/schedules/{clinic.schedule_id}/stop", headers=clinic.admin,
                json={"reason": "医生外出会诊"})
    refused = b.hold(client, b.patient(), clinic.slot_ids[0])
    assert refused.status_code == 409 and refused.json["error"]["code"] == "schedule_stopped"


def test_a_hold_is_audited_with_its_booking_and_a_refused_one_leaves_no_gap(client):
    """A hold's audit entry is numbered by the statement that writes the booking; a refusal
    takes no number, so the sealer links every entry without waiting on a missing one."""
    clinic = b.open_clinic(client, capacity=1)
    first = b.hold(client, b.patient(), clinic.slot_ids[0])
    refused = b.hold(client, b.patient(), clinic.slot_ids[0])
    second = b.hold(client, b.patient(), clinic.slot_ids[1])
    assert (first.status_code, refused.status_code, second.status_code) == (201, 409, 201)
    entries = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
    holds = [e for e in entries if e.action == "booking.hold"]
    assert [e.subject_id for e in holds] == [first.json["data"]["id"], second.json["data"]["id"]]
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + len(entries)))
    sealed = audit_seal.seal_pending()
    assert (sealed.gaps, sealed.waiting_on) == (0, None)
    assert audit_verify.verify_chain()[1] == []
