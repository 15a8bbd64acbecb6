"""Demo data of the chronic-disease programmes (`followup.yaml`): residents, enrolments with
plans, a recorded follow-up each, home readings, then the day's due-scan, so doctor.li's
worklist and 张建国's readings in 张伟's mini-program are not empty. Skips what exists."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select, update

from backend.auth import Principal
from backend.extensions import db
from backend.models import (
    EducationDelivery,
    Organization,
    PatientProfile,
    PrincipalKind,
    ProgrammeEnrolment,
    Resident,
    StaffUser,
    VitalReading,
)
from backend.security.identity_docs import parse_resident_id, resident_id_check_char
from backend.services.followup import records
from backend.services.followup.due_scan import scan
from backend.timeutil import CLINIC_TZ, age_on, local_today, utcnow
from followup.readings import assess_home_reading
from followup.schedule import FIRST_FOLLOWUP

DATA_FILE = Path(__file__).with_name("followup.yaml")


def seed_followup(path: Path = DATA_FILE) -> int:
    """Seed the residents not there yet; returns how many were added."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    organization = db.session.execute(select(Organization).where(
        Organization.code == data["organization"])).scalar_one()
    today = local_today()
    added = 0
    for entry in data["residents"]:
        number = entry.get("document_number") or entry["body"] + resident_id_check_char(
            entry["body"])
        resident = _resident(organization, number, entry.get("name"))
        if resident is None:
            continue
        added += 1
        if entry.get("phone") and not resident.phone:
            resident.phone = entry["phone"]
            resident.phone_index = current_app.extensions["blind_index"].digest(
                entry["phone"], "phone")
        resident.followup_channel = entry.get("followup_channel", "doctor")
        doctor = db.session.execute(select(StaffUser).where(
            StaffUser.username == entry["doctor"])).scalar_one()
        enrolled_on = today - timedelta(days=200)
        for programme in entry["programmes"]:
            db.session.add(ProgrammeEnrolment(
                resident_id=resident.id, programme=programme, diagnosed_on=entry["diagnosed_on"],
                enrolled_on=enrolled_on, doctor_id=doctor.id, management_level=entry["level"],
                plan=entry.get("plan") or {}, plan_updated_at=utcnow() if entry.get("plan")
                else None, next_due_on=enrolled_on, next_due_rule=FIRST_FOLLOWUP))
        db.session.commit()
        if entry.get("last_visit_days_ago"):
            _visit(resident, doctor, entry, today - timedelta(days=entry["last_visit_days_ago"]))
        _home_readings(resident, entry, today)
    scan(today)
    return added


def _resident(organization: Organization, number: str, name: str | None) -> Resident | None:
    index = current_app.extensions["blind_index"].digest(number, "document")
    if db.session.execute(select(Resident.id).where(Resident.document_index == index)).first():
        return None
    profile = db.session.execute(select(PatientProfile).where(
        PatientProfile.document_index == index)).scalar_one_or_none()
    parsed = parse_resident_id(number)
    resident = Resident(
        organization_id=organization.id, name=profile.name if profile else name,
        sex=parsed.sex, birth_date=parsed.birth_date, document_type="resident_id",
        document_number=parsed.number, document_index=index,
        phone=profile.phone if profile else None,
        phone_index=profile.phone_index if profile else None,
        patient_id=profile.id if profile else None,
        source="contract" if profile else "import")
    db.session.add(resident)
    db.session.flush()
    return resident


def _visit(resident: Resident, doctor: StaffUser, entry: dict, visited_on: date) -> None:
    principal = Principal(kind=PrincipalKind.STAFF, session_id=0, staff_id=doctor.id,
                          role=doctor.role, organization_id=doctor.organization_id,
                          actor_external_id=str(doctor.external_id))
    records.record_followup(principal, resident.external_id, {
        "visited_on": visited_on, "method": "clinic", "adherence": "regular",
        "programmes": {p: {} for p in entry["programmes"]},
        "readings": entry["last_visit"], "lifestyle": {"salt": "moderate"}})
    # the education that visit offered was given on its day, not the day the demo was seeded
    db.session.execute(update(EducationDelivery).where(
        EducationDelivery.resident_id == resident.id).values(
        delivered_at=datetime.combine(visited_on, time(10, 0), CLINIC_TZ)))
    db.session.commit()


def _home_readings(resident: Resident, entry: dict, today: date) -> None:
    programmes = tuple(sorted(entry["programmes"]))
    age = age_on(resident.birth_date, today)
    series = [("blood_pressure", {"systolic": s, "diastolic": d}, None, days)
              for days, (s, d) in enumerate(reversed(entry.get("home_blood_pressure", [])), 1)]
    series += [("glucose", {"fasting_glucose": g}, "fasting", 2 * days)
               for days, g in enumerate(reversed(entry.get("home_fasting_glucose", [])), 1)]
    for kind, readings, timing, days_ago in series:
        day = today - timedelta(days=days_ago)
        measured = datetime.combine(day, time(7, 10), CLINIC_TZ)
        assessment = assess_home_reading(readings, frozenset(), programmes, age,
                                         (entry.get("plan") or {}).get("targets"))
        db.session.add(VitalReading(
            resident_id=resident.id, measured_at=measured, kind=kind, readings=readings,
            glucose_timing=timing, symptoms=[], source="manual", level=assessment.level,
            findings={"emergencies": [], "above_target": list(assessment.above_target)}))
    db.session.commit()
