"""Booking the 接种门诊 goes through the booking engine: its slots and capacity, one visit per
child per day, cancellation — and a free session needs no payment."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.models import PatientMessage, VaccinationDue
from tests import factories as f
from tests.booking_support import remaining, session
from tests.vaccination_support import book, family, vaccination_sessions


def _free(days_ahead=2, department="PREV", hour=8, **extra):
    return session(days_ahead=days_ahead, department=department, fee_fen=0, hour=hour,
                   **extra)


def test_a_free_vaccination_session_is_confirmed_at_once(web):
    _, [slots] = vaccination_sessions(web, _free())
    kid = family()
    made = book(web, kid, slots[0])
    assert made.status_code == 201, made.json
    data = made.json["data"]
    assert (data["status"], data["status_label"]) == ("confirmed", "预约成功")
    assert data["hold_expires_at"] is None and data["payment"] is None
    assert remaining(slots[0]) == 2
    kinds = [m.kind for m in db.session.execute(select(PatientMessage)).scalars()]
    assert kinds == ["booked"]
    # Booking starts the child's schedule reminders.
    assert db.session.execute(select(VaccinationDue.kind)).scalars().all() == ["schedule"]


def test_one_vaccination_visit_per_child_per_day_whichever_session(web):
    _, [morning, afternoon] = vaccination_sessions(web, _free(), _free(hour=14))
    kid = family()
    assert book(web, kid, morning[0]).status_code == 201
    again = book(web, kid, afternoon[0])
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_booking"
    assert remaining(afternoon[0]) == 3
    brother = f.profile(kid.child.account, relationship="child", name="小刚",
                        birth=kid.child.birth_date, phone=None)
    assert book(web, kid, afternoon[0], str(brother.external_id)).status_code == 201


def test_a_cancelled_visit_frees_the_place_and_the_day(web):
    _, [slots] = vaccination_sessions(web, _free())
    kid = family()
    booking_id = book(web, kid, slots[0]).json["data"]["id"]
    cancelled = web.post(f"/api/v1/mp/bookings/{booking_id}/cancel", headers=kid.headers,
                         json={})
    assert cancelled.status_code == 200 and cancelled.json["data"]["status"] == "cancelled"
    assert remaining(slots[0]) == 3
    assert book(web, kid, slots[1]).status_code == 201


def test_a_full_slot_and_a_non_vaccination_session_are_refused(web):
    _, [slots, other] = vaccination_sessions(web, _free(capacity=1),
                                             _free(department="GENM"))
    first, second = family(), family(name="小红")
    assert book(web, first, slots[0]).status_code == 201
    full = book(web, second, slots[0])
    assert full.status_code == 409 and full.json["error"]["code"] == "slot_full"
    wrong = book(web, second, other[0])
    assert wrong.status_code == 409
    assert wrong.json["error"]["code"] == "not_a_vaccination_session"


def test_an_adult_or_another_account_child_cannot_be_booked(web):
    _, [slots] = vaccination_sessions(web, _free())
    kid, stranger = family(), family(name="小红")
    adult = f.profile(kid.child.account, relationship="spouse", name="家长二")
    grown = book(web, kid, slots[0], str(adult.external_id))
    assert grown.status_code == 409 and grown.json["error"]["code"] == "not_a_child"
    assert book(web, stranger, slots[0], kid.child_id).status_code == 404


def test_a_child_vaccinated_at_the_visit_is_never_counted_as_a_no_show(web):
    from datetime import UTC, datetime

    import time_machine

    from backend.models import Booking
    from tests.vaccination_support import clinic, give

    with time_machine.travel(datetime(2026, 12, 7, 1, 0, tzinfo=UTC), tick=False):
        _, [slots] = vaccination_sessions(web, _free(days_ahead=0, hour=14))
        kid = family()
        booking_id = book(web, kid, slots[0]).json["data"]["id"]
        nurse = clinic(org=db.session.execute(select(Booking)).scalar_one().organization)
        assert give(web, nurse, kid, "DTaP", 1, booking_id=booking_id).status_code == 201
        db.session.expire_all()
        assert db.session.execute(select(Booking.status)).scalar_one() == "completed"
