"""Demo outpatient schedules: every demo doctor sees patients on weekday mornings and afternoons
for the coming week, so the booking journey can be tried at once (a real HIS pushes these).
The 接种门诊's sessions are free."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import Doctor, Schedule, Slot
from backend.services.schedules import release_time
from backend.timeutil import CLINIC_TZ, local_today

SESSIONS = {"am": (time(8, 0), 7), "pm": (time(14, 0), 6)}  # start, number of 30-minute slots
FEES_FEN = {"主任医师": ("expert", 5000), "副主任医师": ("expert", 3000)}
GENERAL = ("general", 1000)
PLACES_PER_SLOT = 4


def _slots(day: date, start: time, count: int) -> list[Slot]:
    first = datetime.combine(day, start, CLINIC_TZ)
    return [Slot(starts_at=first + timedelta(minutes=30 * i),
                 ends_at=first + timedelta(minutes=30 * (i + 1)),
                 capacity=PLACES_PER_SLOT, booked=0) for i in range(count)]


def seed_schedules(days: int = 7) -> int:
    """Add the missing demo sessions from today on; returns how many were added."""
    added = 0
    doctors = db.session.execute(select(Doctor)).scalars().all()
    for offset in range(days):
        day = local_today() + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for doctor in doctors:
            for half_day, (start, count) in SESSIONS.items():
                ref = f"DEMO-{doctor.external_id.hex[:12]}-{day:%Y%m%d}-{half_day}"
                exists = db.session.execute(select(Schedule.id).where(
                    Schedule.his_ref == ref)).scalar_one_or_none()
                if exists is not None:
                    continue
                kind, fee = FEES_FEN.get(doctor.title, GENERAL)
                if doctor.department.code in current_app.config["VACCINATION_DEPARTMENTS"]:
                    fee = 0  # 接种门诊: programme vaccines are free, no registration fee
                db.session.add(Schedule(
                    organization_id=doctor.department.organization_id, his_ref=ref,
                    department_id=doctor.department_id, doctor_id=doctor.id, clinic_date=day,
                    half_day=half_day, registration_type=kind, fee_fen=fee,
                    release_at=release_time(day), status="open",
                    slots=_slots(day, start, count)))
                added += 1
    db.session.commit()
    return added
