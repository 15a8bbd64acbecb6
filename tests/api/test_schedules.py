"""The HIS pushes schedules; patients see released sessions with live remaining places."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from backend.demo.seed import seed
from backend.extensions import db
from backend.models import Organization, Slot, StaffUser
from backend.services import listings
from backend.timeutil import CLINIC_TZ, local_today
from tests import factories as f


@pytest.fixture()
def hospital(ctx):
    seed()
    org = db.session.execute(select(Organization).where(Organization.code == "H001")).scalar_one()
    admin = db.session.execute(select(StaffUser).where(StaffUser.username == "admin.h001")
                               ).scalar_one()
    return {"id": str(org.external_id), "admin": f.bearer(f.staff_token(admin))}


def session_payload(days_ahead: int, his_ref: str = "H001-CARD-1", capacity: int = 3) -> dict:
    day = local_today() + timedelta(days=days_ahead)
    start = datetime(day.year, day.month, day.day, 8, 0, tzinfo=CLINIC_TZ)
    return {"his_ref": his_ref, "department_code": "CARD", "clinic_date": day.isoformat(),
            "half_day": "am", "registration_type": "general", "fee_fen": 1500,
            "slots": [{"starts_at": (start + timedelta(minutes=30 * i)).isoformat(),
                       "ends_at": (start + timedelta(minutes=30 * (i + 1))).isoformat(),
                       "capacity": capacity} for i in range(2)]}


def push(client, hospital, *sessions):
    return client.put("/api/v1/admin/schedules", headers=hospital["admin"],
                      json={"schedules": list(sessions)})


def search(client, hospital, query=""):
    response = client.get(f"/api/v1/mp/hospitals/{hospital['id']}/schedules{query}")
    assert response.status_code == 200, response.json
    return response.json["data"]


def test_pushed_schedules_appear_once_released_with_remaining_places(client, hospital):
    assert push(client, hospital, session_payload(2), session_payload(10, "H001-CARD-2")
                ).status_code == 200
    shown = search(client, hospital)
    assert [s["his_ref"] for s in shown] == ["H001-CARD-1"]  # day 10 is not released yet
    assert shown[0]["department_name"] == "心血管内科" and shown[0]["fee_fen"] == 1500
    assert [slot["remaining"] for slot in shown[0]["slots"]] == [3, 3]
    release_day = local_today() + timedelta(days=3)
    with time_machine.travel(datetime(release_day.year, release_day.month, release_day.day,
                                      15, 1, tzinfo=CLINIC_TZ)):
        assert {s["his_ref"] for s in search(client, hospital)} >= {"H001-CARD-2"}


def test_a_repush_updates_instead_of_duplicating_and_respects_bookings(client, hospital):
    push(client, hospital, session_payload(1))
    push(client, hospital, session_payload(1, capacity=5))
    shown = search(client, hospital)
    assert len(shown) == 1 and [s["capacity"] for s in shown[0]["slots"]] == [5, 5]
    slot = db.session.execute(select(Slot).order_by(Slot.starts_at)).scalars().first()
    slot.booked = 4  # four bookings, written straight to the row, so announced by hand:
    listings.changed(slot.schedule.organization_id, slot.schedule.department_id)
    db.session.commit()
    refused = push(client, hospital, session_payload(1, capacity=2))
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "capacity_below_bookings"
    assert [s["remaining"] for s in search(client, hospital)[0]["slots"]] == [1, 5]


def test_a_stopped_session_disappears(client, hospital):
    schedule_id = push(client, hospital, session_payload(1)).json["data"][0]["id"]
    stopped = client.post(f"/api/v1/admin/schedules/{schedule_id}/stop",
                          headers=hospital["admin"], json={"reason": "医生外出会诊"})
    assert stopped.status_code == 200 and stopped.json["data"]["status"] == "stopped"
    assert search(client, hospital) == []


def test_push_is_validated_and_all_or_nothing(client, hospital):
    bad_department = session_payload(1, "H001-X-1") | {"department_code": "NOPE"}
    response = push(client, hospital, session_payload(1, "H001-OK-1"), bad_department)
    assert response.status_code == 422
    assert response.json["error"]["field"] == "schedules.1.department_code"
    assert search(client, hospital) == []
    backwards = session_payload(1)
    backwards["slots"][0]["ends_at"] = backwards["slots"][0]["starts_at"]
    assert push(client, hospital, backwards).status_code == 422
    too_long = client.get(f"/api/v1/mp/hospitals/{hospital['id']}/schedules"
                          f"?date_to={(local_today() + timedelta(days=30)).isoformat()}")
    assert too_long.status_code == 422


def test_only_a_hospital_admin_pushes_and_only_for_their_own_hospital(client, hospital, ctx):
    doctor = f.bearer(f.staff_token(f.staff(f.organization())))
    assert client.put("/api/v1/admin/schedules", headers=doctor,
                      json={"schedules": [session_payload(1)]}).status_code == 403
    other_admin = f.bearer(f.staff_token(f.staff(f.organization(), role="hospital_admin")))
    refused = client.put("/api/v1/admin/schedules", headers=other_admin,
                         json={"schedules": [session_payload(1)]})
    assert refused.status_code == 422  # their organization has no such department


def test_far_or_past_search_dates_get_a_clear_refusal_not_a_500(client, hospital):
    url = f"/api/v1/mp/hospitals/{hospital['id']}/schedules"
    for query, field, message in (
            ("?date_from=9999-12-31", "date_from", "只能查一年以内的号源。"),
            ("?date_from=9999-12-31&date_to=9999-12-31", "date_from", "只能查一年以内的号源。"),
            ("?date_to=9999-12-31", "date_to", "一次最多查14天。"),
            ("?date_from=2000-01-01&date_to=2000-01-01", "date_to", "只能查今天及以后的号源。"),
            ("?date_from=2030-01-02&date_to=2030-01-01", "date_to", "结束日期不能早于开始日期。")):
        response = client.get(url + query)
        assert response.status_code == 422, (query, response.json)
        assert response.json["error"]["field"] == field
        assert response.json["error"]["message"] == message


def test_a_push_with_impossible_dates_or_clashing_slots_is_refused(client, hospital):
    year_one = session_payload(2)
    year_one["clinic_date"] = "0001-01-01"
    year_one["slots"][0]["starts_at"] = "0001-01-01T00:00:00+08:00"
    same_instant = session_payload(2)
    day = same_instant["clinic_date"]
    same_instant["slots"] = [
        {"starts_at": f"{day}T00:00:00Z", "ends_at": f"{day}T00:30:00Z", "capacity": 2},
        {"starts_at": f"{day}T08:00:00+08:00", "ends_at": f"{day}T08:30:00+08:00",
         "capacity": 2}]
    other_day = session_payload(2)
    other_day["slots"][1]["starts_at"] = session_payload(3)["slots"][1]["starts_at"]
    other_day["slots"][1]["ends_at"] = session_payload(3)["slots"][1]["ends_at"]
    for payload, field in ((year_one, "schedules.0.clinic_date"),
                           (same_instant, "schedules.0.slots"),
                           (other_day, "schedules.0.slots")):
        response = push(client, hospital, payload)
        assert response.status_code == 422, response.json
        assert field in response.json["error"]["fields"]
    twice = push(client, hospital, session_payload(2), session_payload(4))
    assert twice.status_code == 422
    assert twice.json["error"]["field"] == "schedules"
    assert "his_ref" in twice.json["error"]["message"]
    assert search(client, hospital) == []  # nothing half-written


def test_integers_in_a_push_must_be_json_integers(client, hospital):
    for bad in (1.5, "3", True):
        payload = session_payload(2)
        payload["slots"][0]["capacity"] = bad
        response = push(client, hospital, payload)
        assert response.status_code == 422, bad
        assert "schedules.0.slots.0.capacity" in response.json["error"]["fields"]
    assert push(client, hospital, session_payload(2)).status_code == 200


def test_the_listing_is_exactly_what_the_schedule_schema_documents(client, hospital):
    """The listing is built without the ORM for speed; it must match the documented schema's
    dump of the same sessions field for field (doctors, empty doctors, a booked place)."""
    from backend.demo.schedules import seed_schedules
    from backend.models import Schedule
    from backend.schemas.schedule import ScheduleSchema
    from backend.services import schedules
    from backend.timeutil import utcnow

    seed_schedules()
    push(client, hospital, session_payload(1))
    slot = db.session.execute(select(Slot).order_by(Slot.id)).scalars().first()
    slot.booked = 1
    db.session.commit()
    db.session.expire_all()  # read back as a request would, not the objects the seed made
    org = db.session.execute(select(Organization).where(Organization.code == "H001")).scalar_one()
    rows = db.session.execute(select(Schedule).where(
        Schedule.organization_id == org.id, Schedule.status == "open",
        Schedule.release_at <= utcnow(),
        Schedule.clinic_date.between(local_today(), local_today() + timedelta(days=13)))
        .order_by(Schedule.clinic_date, Schedule.half_day, Schedule.id)).scalars().all()
    documented = ScheduleSchema(many=True).dump(rows)
    assert len(documented) > 1 and any(s.get("doctor_id") for s in documented)
    assert any("doctor_id" not in s for s in documented)
    fast = schedules.listing(hospital["id"], {})
    for mine, theirs in zip(fast, documented, strict=True):
        assert {k: v for k, v in mine.items() if k != "slots"} == {
            k: v for k, v in theirs.items() if k != "slots"}
        assert mine["slots"] == theirs["slots"]
