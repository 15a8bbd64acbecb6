"""A resident's own readings (家庭自测): recorded from the mini-program, assessed at once by the
standard's criteria, and, when urgent or high again and again, brought to the family doctor by
moving the next follow-up to today (it shows on the doctor's worklist).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, NamedTuple

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
from followup.body_readings import BODY_KINDS, assess_body_reading
from followup.readings import (
    Advice,
    assess_home_reading,
    default_home_rules,
    glucose_floor,
    target_band,
)
from followup.records import Decision

log = logging.getLogger(__name__)
MAX_AGE_OF_READING = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=10)
URGENT_RULE, REPEATED_RULE = "urgent_home_reading", "repeated_high_home_readings"
ABNORMAL_RULE = "abnormal_home_reading"  # a weight, SpO₂ or temperature the doctor should see
BODY_WORDS = {"weight": "体重", "spo2": "血氧饱和度", "temperature": "体温"}
FIELD_OF = {"systolic": "systolic", "diastolic": "diastolic", "heart_rate": "pulse",
            "fasting_glucose": "glucose", "random_glucose": "glucose", "weight": "weight",
            "spo2": "spo2", "temperature": "temperature", "height": "height"}
TARGET_KINDS = ("blood_pressure", "glucose")  # judged against the programmes' targets
WEIGHT_WINDOW = timedelta(days=180)  # the weight loss of body_readings.yaml is over 6 months


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
    if data["kind"] in BODY_KINDS:
        kind = data["kind"]
        if data.get(kind) is None:
            raise ValidationFailed(f"请填写{BODY_WORDS[kind]}。", field=kind)
        return {kind: data[kind]}, None
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
        if data["kind"] in BODY_KINDS:
            assessed = _assess_body(resident, data, readings, programmes, measured_at)
        else:
            assessed = _assess_target(resident, enrolments, data, readings, timing, programmes,
                                      measured_at)
    except FollowUpInputError as exc:
        place, _, message = str(exc).partition(": ")
        name = place.removeprefix("readings.")
        raise ValidationFailed(message, field=FIELD_OF.get(name, name)) from exc
    level, advice, emergencies, tell_doctor, findings = assessed  # an Assessed
    if data["kind"] == "weight" and data.get("height_cm") is not None:
        readings["height"] = data["height_cm"]
    reading = VitalReading(
        resident_id=resident.id, measured_at=measured_at, kind=data["kind"], readings=readings,
        glucose_timing=timing, symptoms=sorted(data.get("symptoms", ())), source=source,
        level=level, entered_by_account_id=account_id, device_reading_id=device_reading_id,
        findings={"emergencies": [{"rule": d.rule, "says": d.says, "basis": list(d.basis)}
                                  for d in emergencies], **findings})
    db.session.add(reading)
    db.session.flush()
    brought_forward: str | None = None
    if level == "urgent":
        brought_forward = bring_forward(enrolments, URGENT_RULE)
    elif tell_doctor:
        brought_forward = bring_forward(enrolments, ABNORMAL_RULE)
    elif level == "high" and data["kind"] in TARGET_KINDS and _recent_high(resident) >= \
            default_home_rules().repeated_high_count:
        brought_forward = bring_forward(enrolments, REPEATED_RULE)
    taught = education.offer(resident, _findings(reading), "reading")
    audit.record("vitals.record", "resident", str(resident.external_id),
                 {"reading": str(reading.external_id), "kind": reading.kind,
                  "level": reading.level, "brought_forward": brought_forward})
    if level != "normal":
        log.info("home reading out of range", extra={"reading": str(reading.external_id),
                                                     "level": reading.level})
    return {"reading": reading, "level": level, "urgent": level == "urgent",
            "advice": advice, "emergencies": [d.says for d in emergencies],
            "doctor_told": brought_forward is not None,
            "education": [education.item_view(item) for item in taught]}


class Assessed(NamedTuple):
    level: str
    advice: Advice
    emergencies: tuple[Decision, ...]
    tell_doctor: bool  # move the follow-up to today at once
    findings: dict[str, list[str]]  # kept with the reading as the basis of `level`


def _assess_target(resident: Resident, enrolments: list[ProgrammeEnrolment],
                   data: dict[str, Any], readings: dict[str, float], timing: str | None,
                   programmes: tuple[str, ...], measured_at) -> Assessed:
    """Blood pressure and glucose: the programmes' 危急情况 and targets (and the resident's)."""
    assessment = assess_home_reading(
        readings, frozenset(data.get("symptoms", ())), programmes,
        age_on(resident.birth_date, measured_at.astimezone(CLINIC_TZ).date()),
        _personal_targets(enrolments), after_meal=timing == "after_meal")
    return Assessed(assessment.level, assessment.advice, assessment.emergencies, False,
                    {"above_target": list(assessment.above_target)})


def _assess_body(resident: Resident, data: dict[str, Any], readings: dict[str, float],
                 programmes: tuple[str, ...], measured_at) -> Assessed:
    """Weight, SpO₂, temperature: the lines of body_readings.yaml (after any 危急情况). A
    weight is judged with the height given now or last time, and the highest weight of the
    last six months."""
    kind, height, highest = data["kind"], None, None
    if kind == "weight":
        height = data.get("height_cm") or _last_height(resident)
        highest = _highest_weight(resident, measured_at)
    assessment = assess_body_reading(kind, readings[kind], programmes, height, highest)
    return Assessed(assessment.level, assessment.advice, assessment.emergencies,
                    assessment.tell_doctor, {"above_target": list(assessment.findings),
                                             "bands": list(assessment.bands)})


def _last_height(resident: Resident) -> float | None:
    rows = db.session.execute(select(VitalReading.readings).where(
        VitalReading.resident_id == resident.id, VitalReading.kind == "weight")
        .order_by(VitalReading.measured_at.desc()).limit(20)).scalars()
    return next((r["height"] for r in rows if r.get("height")), None)


def _highest_weight(resident: Resident, measured_at) -> float | None:
    rows = db.session.execute(select(VitalReading.readings).where(
        VitalReading.resident_id == resident.id, VitalReading.kind == "weight",
        VitalReading.measured_at >= measured_at - WEIGHT_WINDOW,
        VitalReading.measured_at <= measured_at)).scalars()
    return max((r["weight"] for r in rows), default=None)


def _findings(reading: VitalReading) -> set[str]:
    """The moment, in the library's words: what kind of reading, how far off."""
    if reading.level == "normal" or reading.kind in BODY_KINDS:
        return set()  # the library has no weight, SpO₂ or temperature items yet
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
        VitalReading.kind.in_(TARGET_KINDS),
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


