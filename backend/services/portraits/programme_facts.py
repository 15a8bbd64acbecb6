"""What the programme file holds for a portrait (the database side of programme_rules): open
enrolments, blood pressure from home readings and follow-up visits, the resident's target.

A 就诊人 profile reaches its programme file through `Resident.patient_id`; a profile without one
contributes nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    MANAGEMENT_LEVELS,
    FollowUpRecord,
    PatientProfile,
    Resident,
)
from backend.services.followup import vitals
from backend.services.portraits import rules
from backend.services.portraits.programme_rules import BloodPressure, EnrolmentFact
from backend.timeutil import CLINIC_TZ, utcnow

PROGRAMME_WORDS = {"hypertension": "高血压", "type2_diabetes": "2型糖尿病"}
MAX_VISITS = 50


@dataclass
class ProgrammeFacts:
    enrolments: list[EnrolmentFact] = field(default_factory=list)
    blood_pressure: list[BloodPressure] = field(default_factory=list)
    bp_target: tuple[float, float] | None = None
    marks: list[str] = field(default_factory=list)  # for the portrait's data mark


def gather(profile: PatientProfile) -> ProgrammeFacts:
    person = db.session.execute(select(Resident).where(
        Resident.patient_id == profile.id)).scalars().first()
    if person is None:
        return ProgrammeFacts()
    enrolments = [e for e in person.enrolments if e.ended_on is None]
    facts = ProgrammeFacts()
    for e in enrolments:
        facts.enrolments.append(EnrolmentFact(
            str(e.external_id), PROGRAMME_WORDS.get(e.programme, e.programme), e.enrolled_on,
            e.next_due_on, MANAGEMENT_LEVELS.get(e.management_level, "")))
        facts.marks.append(f"e{e.external_id}:{e.next_due_on}")
    days = rules.rules()["bp_days"]
    held = vitals.history_of(person, enrolments, days)
    band = held["targets"]
    if "systolic_below" in band and "diastolic_below" in band:
        facts.bp_target = (band["systolic_below"], band["diastolic_below"])
    for reading in held["readings"]:
        if reading.kind == "blood_pressure":
            facts.blood_pressure.append(BloodPressure(
                str(reading.external_id), "reading", reading.measured_at.astimezone(CLINIC_TZ),
                reading.readings["systolic"], reading.readings["diastolic"]))
        facts.marks.append(f"v{reading.external_id}")
    since = (utcnow() - timedelta(days=days)).astimezone(CLINIC_TZ).date()
    for record in db.session.execute(select(FollowUpRecord).where(
            FollowUpRecord.resident_id == person.id, FollowUpRecord.visited_on >= since)
            .order_by(FollowUpRecord.visited_on.desc()).limit(MAX_VISITS)).scalars():
        values = record.readings
        if "systolic" in values and "diastolic" in values:
            facts.blood_pressure.append(BloodPressure(
                str(record.external_id), "followup",
                datetime.combine(record.visited_on, time(9), CLINIC_TZ),
                values["systolic"], values["diastolic"]))
        facts.marks.append(f"f{record.external_id}")
    return facts

