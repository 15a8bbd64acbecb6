"""A resident's own readings (家庭自测): recorded from the mini-program, assessed at once by the
standard's criteria, and, when urgent or high again and again, brought to the family doctor by
moving the next follow-up to today (it shows on the doctor's worklist).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from backend.auth import Principal
from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.models import FollowUpTask, ProgrammeEnrolment, Resident, TaskStatus, VitalReading
from backend.services import access, audit
from backend.services.followup import education
from backend.services.followup.access import load_resident
from backend.timeutil import CLINIC_TZ, age_on, local_today, utcnow
from followup import FollowUpInputError
from followup.readings import (
    assess_home_reading,
    default_home_rules,
    glucose_floor,
    target_band,
)

log = logging.getLogger(__name__)
MAX_AGE_OF_READING = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=10)
URGENT_RULE, REPEATED_RULE = "urgent_home_reading", "repeated_high_home_readings"
FIELD_OF = {"systolic": "systolic", "diastolic": "diastolic", "heart_rate": "pulse",
            "fasting_glucose": "glucose", "random_glucose": "glucose"}


def resident_of(principal: Principal, patient_id: Any) -> tuple[Resident,
                                                                 list[ProgrammeEnrolment]]:
    profile = access.load_profile(principal, patient_id)
    resident = db.session.execute(select(Resident).where(
        Resident.patient_id == profile.id)).scalar_one_or_none()
    enrolments = [e for e in (resident.enrolments if resident else []) if e.ended_on is None]
    if not enrolments:
        raise NotFound("这位就诊人还没有纳入高血压或糖尿病管理。如需管理，请联系您的家庭医生。",
                       code="not_enrolled")
    return resident, enrolments


def _personal_targets(enrolments: list[ProgrammeEnrolment]) -> dict[str, float]:
    targets: dict[str, float] = {}
    for enrolment in enrolments:
        for key, value in (enrolment.plan or {}).get("targets", {}).items():
            targets[key] = min(value, targets.get(key, value))
    return targets


def _readings(data: dict[str, Any]) -> tuple[dict[str, float], str | None]:
    if data["kind"] == "blood_pressure":
        if data.get("systolic") is None or data.get("diastolic") is None:
            raise ValidationFailed("请填写高压和低压。", field="systolic")
        readings = {"systolic": data["systolic"], "diastolic": data["diastolic"]}
        if data.get("pulse") is not None:
            readings["heart_rate"] = data["pulse"]
        return readings, None
    if data.get("glucose") is None or not data.get("timing"):
        raise ValidationFailed("请填写血糖值，并选择是空腹还是饭后。", field="glucose")
    name = "fasting_glucose" if data["timing"] == "fasting" else "random_glucose"
    return {name: data["glucose"]}, data["timing"]


def record_reading(principal: Principal, data: dict[str, Any],
                   source: str = "manual") -> dict[str, Any]:
    """Store and assess one reading; the answer says at once what it means and what to do
    (urgent: call 120 now)."""
    resident, enrolments = resident_of(principal, data["patient_id"])
    result = record_for(resident, enrolments, data, source, principal.account_id)
    db.session.commit()
    return result


def record_for(resident: Resident, enrolments: list[ProgrammeEnrolment], data: dict[str, Any],
               source: str, account_id: int | None = None,
               device_reading_id: str | None = None) -> dict[str, Any]:
    """Assess and add one reading to the current transaction (the caller commits): from the
    mini-program (`account_id`) or a home device gateway (`device_reading_id`)."""
    now = utcnow()
    measured_at = data.get("measured_at") or now
    if measured_at > now + CLOCK_SKEW:
        raise ValidationFailed("测量时间不能晚于现在。", field="measured_at")
    if measured_at < now - MAX_AGE_OF_READING:
        raise ValidationFailed("只能记录30天内的测量。", field="measured_at")
    readings, timing = _readings(data)
    programmes = tuple(sorted(e.programme for e in enrolments))
    try:
        assessment = assess_home_reading(
            readings, frozenset(data.get("symptoms", ())), programmes,
            age_on(resident.birth_date, measured_at.astimezone(CLINIC_TZ).date()),
            _personal_targets(enrolments), after_meal=timing == "after_meal")
    except FollowUpInputError as exc:
        place, _, message = str(exc).partition(": ")
        name = place.removeprefix("readings.")
        raise ValidationFailed(message, field=FIELD_OF.get(name, name)) from exc
    reading = VitalReading(
        resident_id=resident.id, measured_at=measured_at, kind=data["kind"], readings=readings,
        glucose_timing=timing, symptoms=sorted(data.get("symptoms", ())), source=source,
        level=assessment.level, entered_by_account_id=account_id,
        device_reading_id=device_reading_id,
        findings={"emergencies": [{"rule": d.rule, "says": d.says, "basis": list(d.basis)}
                                  for d in assessment.emergencies],
                  "above_target": list(assessment.above_target)})
    db.session.add(reading)
    db.session.flush()
    brought_forward: str | None = None
    if assessment.level == "urgent":
        brought_forward = bring_forward(enrolments, URGENT_RULE)
    elif assessment.level == "high" and _recent_high(resident) >= \
            default_home_rules().repeated_high_count:
        brought_forward = bring_forward(enrolments, REPEATED_RULE)
    taught = education.offer(resident, _findings(reading), "reading")
    audit.record("vitals.record", "resident", str(resident.external_id),
                 {"reading": str(reading.external_id), "kind": reading.kind,
                  "level": reading.level, "brought_forward": brought_forward})
    if assessment.level != "normal":
        log.info("home reading out of range", extra={"reading": str(reading.external_id),
                                                     "level": reading.level})
    return {"reading": reading, "level": assessment.level, "urgent": assessment.level == "urgent",
            "advice": assessment.advice, "emergencies": [d.says for d in assessment.emergencies],
            "doctor_told": brought_forward is not None,
            "education": [education.item_view(item) for item in taught]}


def _findings(reading: VitalReading) -> set[str]:
    """The moment, in the library's words: what kind of reading, how far off."""
    if reading.level == "normal":
        return set()
    if reading.kind == "blood_pressure":
        return {"bp_urgent" if reading.level == "urgent" else "bp_high"}
    glucose = next(iter(reading.readings.values()))
    floor = glucose_floor()
    low = floor is not None and glucose <= floor
    if reading.level == "urgent":
        return {"glucose_urgent", "glucose_low" if low else "glucose_high"}
    return {"glucose_high"}


def _recent_high(resident: Resident) -> int:
    since = utcnow() - timedelta(days=default_home_rules().repeated_high_days)
    return db.session.execute(select(func.count()).select_from(VitalReading).where(
        VitalReading.resident_id == resident.id, VitalReading.measured_at >= since,
        VitalReading.level.in_(("high", "urgent")))).scalar_one()


def bring_forward(enrolments: list[ProgrammeEnrolment], rule: str) -> str | None:
    """Make the follow-up due today, named by `rule` on the doctor's worklist: a later due date
    moves to today (a later open task gives way); a follow-up already due keeps its date and
    its open task takes the reason (an urgent one is never downgraded)."""
    today = local_today()
    for enrolment in enrolments:
        if enrolment.next_due_on > today:
            enrolment.next_due_on, enrolment.next_due_rule = today, rule
            db.session.execute(update(FollowUpTask).where(
                FollowUpTask.enrolment_id == enrolment.id,
                FollowUpTask.status == TaskStatus.OPEN.value, FollowUpTask.due_on > today
            ).values(status=TaskStatus.CANCELLED.value, closed_at=utcnow()))
        task = db.session.execute(select(FollowUpTask).where(
            FollowUpTask.enrolment_id == enrolment.id,
            FollowUpTask.due_on == enrolment.next_due_on)).scalar_one_or_none()
        if task is None:
            db.session.add(FollowUpTask(enrolment_id=enrolment.id, doctor_id=enrolment.doctor_id,
                                        due_on=enrolment.next_due_on, due_rule=rule))
        elif task.status == TaskStatus.OPEN.value and task.due_rule != URGENT_RULE:
            task.due_rule = rule
    return rule


def history(principal: Principal, patient_id: Any, days: int) -> dict[str, Any]:
    """The resident's readings of the last `days` days, oldest first, with the target band."""
    resident, enrolments = resident_of(principal, patient_id)
    result = history_of(resident, enrolments, days)
    audit.record("vitals.read", "resident", str(resident.external_id),
                 {"count": len(result["readings"])})
    db.session.commit()
    return result


def history_for_staff(principal: Principal, resident_external_id: Any,
                      days: int) -> dict[str, Any]:
    resident = load_resident(principal, resident_external_id)
    enrolments = [e for e in resident.enrolments if e.ended_on is None]
    result = history_of(resident, enrolments, days)
    audit.record("vitals.read", "resident", str(resident.external_id),
                 {"count": len(result["readings"])})
    db.session.commit()
    return result


def history_of(resident: Resident, enrolments: list[ProgrammeEnrolment],
               days: int) -> dict[str, Any]:
    """Readings and the target band, unaudited: the caller audits the page that shows them."""
    since = utcnow() - timedelta(days=days)
    rows = db.session.execute(select(VitalReading).where(
        VitalReading.resident_id == resident.id, VitalReading.measured_at >= since)
        .order_by(VitalReading.measured_at, VitalReading.id)).scalars().all()
    programmes = tuple(sorted(e.programme for e in enrolments))
    band = target_band(programmes, resident.age, _personal_targets(enrolments)) \
        if programmes else {}
    return {"readings": list(rows), "targets": band, "programmes": list(programmes)}


