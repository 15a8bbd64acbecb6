"""A seeded hospital with one pushed clinic session, and patients ready to book it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import requests
from sqlalchemy import select

from backend.demo.seed import seed
from backend.extensions import db
from backend.models import Booking, Organization, PaymentOrder, Schedule, Slot, StaffUser
from backend.timeutil import CLINIC_TZ, local_today, utcnow
from tests import factories as f


@dataclass
class Clinic:
    hospital_id: str
    admin: dict[str, str]
    schedule_id: str
    slot_ids: list[str]


def session(days_ahead: int = 2, department: str = "CARD", capacity: int = 3, slots: int = 2,
            fee_fen: int = 1500, his_ref: str | None = None, hour: int = 8,
            doctor_id: str | None = None) -> dict:
    day = local_today() + timedelta(days=days_ahead)
    start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=CLINIC_TZ)
    return {"his_ref": his_ref or f"{department}-{day:%Y%m%d}-{hour}",
            "department_code": department, "clinic_date": day.isoformat(),
            "half_day": "am" if hour < 12 else "pm",
            "registration_type": "general", "fee_fen": fee_fen,
            "slots": [{"starts_at": (start + timedelta(minutes=30 * i)).isoformat(),
                       "ends_at": (start + timedelta(minutes=30 * (i + 1))).isoformat(),
                       "capacity": capacity} for i in range(slots)],
            **({"doctor_id": doctor_id} if doctor_id else {})}


def open_clinic(client, **session_args) -> Clinic:
    """Seed the demo group (once per test) and push one session at H001."""
    if db.session.execute(select(Organization.id).where(Organization.code == "H001")).first() \
            is None:
        seed()
    org = db.session.execute(select(Organization).where(Organization.code == "H001")).scalar_one()
    admin = db.session.execute(select(StaffUser).where(StaffUser.username == "admin.h001")
                               ).scalar_one()
    headers = f.bearer(f.staff_token(admin))
    pushed = client.put("/api/v1/admin/schedules", headers=headers,
                        json={"schedules": [session(**session_args)]})
    assert pushed.status_code == 200, pushed.json
    schedule = pushed.json["data"][0]
    return Clinic(str(org.external_id), headers, schedule["id"],
                  [slot["id"] for slot in schedule["slots"]])


@dataclass
class Patient:
    headers: dict[str, str]
    profile_id: str
    openid: str


def patient(birth: date = date(1980, 1, 1), male: bool = True, **account_fields) -> Patient:
    acct = f.account(**account_fields)
    person = f.profile(acct, birth=birth, male=male)
    return Patient(f.bearer(f.account_token(acct)), str(person.external_id),
                   acct.wechat_openid)


def remaining(slot_id: str) -> int:
    db.session.expire_all()
    slot = db.session.execute(select(Slot).where(Slot.external_id == slot_id)).scalar_one()
    return slot.capacity - slot.booked


def schedule_row(schedule_id: str) -> Schedule:
    return db.session.execute(select(Schedule).where(Schedule.external_id == schedule_id)
                              ).scalar_one()


def hold(client, who: Patient, slot_id: str, key: str | None = None):
    headers = dict(who.headers)
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/mp/bookings", headers=headers,
                       json={"patient_id": who.profile_id, "slot_id": slot_id})


PAY = {"wechat": ("wechatpay", "/_sim/pay", "/_sim/notify/resend"),
       "alipay": ("alipay", "/_sim/trades/pay", "/_sim/trades/notify/resend")}


def payer(channel: str) -> Patient:
    if channel == "wechat":
        return patient()
    return patient(wechat_openid=None, alipay_user_id=f"2088{utcnow():%H%M%S%f}"[:16])


def start_payment(client, who, booking_id, channel="wechat"):
    return client.post(f"/api/v1/mp/bookings/{booking_id}/payments", headers=who.headers,
                       json={"channel": channel})


def order_of(booking_id: str) -> PaymentOrder:
    db.session.expire_all()
    booking = db.session.execute(select(Booking).where(Booking.external_id == booking_id)
                                 ).scalar_one()
    return db.session.execute(select(PaymentOrder).where(PaymentOrder.booking_id == booking.id)
                              .order_by(PaymentOrder.id.desc())).scalars().first()


def gateway_pays(simulators, channel, out_trade_no, notify=True):
    name, path, _ = PAY[channel]
    response = requests.post(simulators.url(name) + path, timeout=30,
                             json={"out_trade_no": out_trade_no, "notify": notify})
    assert response.status_code == 200, response.text
    return response.json()


def resend(simulators, channel, out_trade_no):
    name, _, path = PAY[channel]
    return requests.post(simulators.url(name) + path, json={"out_trade_no": out_trade_no},
                         timeout=30)


def booking(client, who, booking_id):
    db.session.expire_all()  # the test shares the app's session; the server changed rows
    return client.get(f"/api/v1/mp/bookings/{booking_id}", headers=who.headers).json["data"]


def held_booking(client, channel="wechat", **clinic_args):
    clinic = open_clinic(client, **clinic_args)
    who = payer(channel)
    held = hold(client, who, clinic.slot_ids[0])
    assert held.status_code == 201, held.json
    return clinic, who, held.json["data"]["id"]


