"""Vitals on the resident's page: home readings (家庭自测) and the follow-up visits (随访) in the
timeline, blood pressure and glucose charts with the resident's target band, and the family
doctor's worklist section of new abnormal home readings.

A console resident is a 就诊人 profile; their programme file (`Resident`) is linked by
`patient_id`. A profile without one simply has no vitals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, union

from backend.auth import Principal
from backend.extensions import db
from backend.models import (
    FollowUpRecord,
    PatientProfile,
    ProgrammeEnrolment,
    Resident,
    SignedResident,
    StaffRole,
    VitalReading,
)
from backend.services.access import visible_profiles
from backend.services.console import timeline
from backend.services.console.followup import PROGRAMME_NAMES
from backend.services.console.worklist import MAX_ITEMS, Section, section
from backend.services.followup import vitals as followup_vitals
from backend.timeutil import CLINIC_TZ, utcnow

CHART_DAYS = 180
NEW_READING_DAYS = 7
# Timeline level classes (console.css) for a home reading's assessment.
READING_LEVELS = {"urgent": "critical", "high": "marked", "normal": "normal"}
READING_WORDS = {"urgent": "危急情况", "high": "高于目标", "normal": "在目标内"}
METHOD_WORDS = {"clinic": "门诊", "home": "家庭", "phone": "电话", "online": "线上"}


@dataclass(frozen=True)
class Measure:
    key: str  # the reading's name in followup/data/policy.yaml
    name: str
    unit: str
    low: str | None  # target_band keys
    high: str | None


MEASURES = (Measure("systolic", "收缩压", "mmHg", None, "systolic_below"),
            Measure("diastolic", "舒张压", "mmHg", None, "diastolic_below"),
            Measure("fasting_glucose", "空腹血糖", "mmol/L", "glucose_above",
                    "fasting_glucose_below"))


@dataclass
class VitalChart:
    """Shaped like the reports' TrendView, so the page draws both the same way."""

    code: str
    name: str
    unit: str
    band_low: float | None
    band_high: float | None
    words: str
    points: list[dict[str, Any]] = field(default_factory=list)


def programme_file(profile: PatientProfile) -> Resident | None:
    return db.session.execute(select(Resident).where(
        Resident.patient_id == profile.id)).scalars().first()


def _clinic_time(day) -> datetime:
    return datetime.combine(day, time(9), CLINIC_TZ)


@timeline.source
def home_readings(profile: PatientProfile) -> list[timeline.Entry]:
    person = programme_file(profile)
    if person is None:
        return []
    rows = db.session.execute(select(VitalReading).where(VitalReading.resident_id == person.id)
                              .order_by(VitalReading.measured_at.desc())
                              .limit(timeline.MAX_ENTRIES_PER_SOURCE)).scalars()
    return [timeline.Entry(r.measured_at, "reading", reading_words(r),
                           READING_WORDS.get(r.level, r.level), READING_LEVELS.get(r.level),
                           data={"source": "设备上传" if r.source == "device" else "居民自己记录"})
            for r in rows]


def reading_words(reading: VitalReading) -> str:
    values = reading.readings
    if reading.kind == "blood_pressure":
        text = f"家庭自测血压 {values['systolic']:g}/{values['diastolic']:g}mmHg"
        return text + (f"，心率{values['heart_rate']:g}次/分" if "heart_rate" in values else "")
    if reading.kind == "weight":
        return f"家庭自测体重 {values['weight']:g}kg" + (
            f"（身高{values['height']:g}cm）" if "height" in values else "")
    if reading.kind == "spo2":
        return f"家庭自测血氧饱和度 {values['spo2']:g}%"
    if reading.kind == "temperature":
        return f"家庭自测体温 {values['temperature']:g}℃"
    value = next(iter(values.values()))
    when = {"fasting": "空腹", "after_meal": "餐后"}.get(reading.glucose_timing or "", "随机")
    return f"家庭自测{when}血糖 {value:g}mmol/L"


@timeline.source
def followup_visits(profile: PatientProfile) -> list[timeline.Entry]:
    person = programme_file(profile)
    if person is None:
        return []
    rows = db.session.execute(select(FollowUpRecord).where(FollowUpRecord.resident_id == person.id)
                              .order_by(FollowUpRecord.visited_on.desc())
                              .limit(timeline.MAX_ENTRIES_PER_SOURCE)).scalars()
    entries = []
    for record in rows:
        classes = "；".join(f"{PROGRAMME_NAMES.get(o.programme, o.programme)}{o.class_name}"
                           for o in record.outcomes)
        values = record.readings
        bp = (f"血压{values['systolic']:g}/{values['diastolic']:g}mmHg，"
              if "systolic" in values and "diastolic" in values else "")
        level = "marked" if any(not o.control_satisfied for o in record.outcomes) else "normal"
        entries.append(timeline.Entry(
            _clinic_time(record.visited_on), "followup",
            f"{METHOD_WORDS.get(record.method, record.method)}随访（{record.doctor.display_name}）",
            f"{bp}{classes}。下次随访：{record.next_followup_on:%Y-%m-%d}", level,
            data={"urgent_referral": record.urgent_referral}))
    return entries


@timeline.chart
def vital_charts(profile: PatientProfile) -> list[VitalChart]:
    """Each measure of the last half year, home and follow-up visit together, with the band of
    the resident's target (the standard's for their age and programmes, or their own)."""
    person = programme_file(profile)
    if person is None:
        return []
    enrolments = [e for e in person.enrolments if e.ended_on is None]
    held = followup_vitals.history_of(person, enrolments, CHART_DAYS)
    band = held["targets"]
    since = (utcnow() - timedelta(days=CHART_DAYS)).astimezone(CLINIC_TZ).date()
    visits = db.session.execute(select(FollowUpRecord).where(
        FollowUpRecord.resident_id == person.id, FollowUpRecord.visited_on >= since)).scalars()
    points: dict[str, list[dict[str, Any]]] = {m.key: [] for m in MEASURES}
    for reading in held["readings"]:
        for key, value in reading.readings.items():
            if key in points:
                points[key].append({"when": reading.measured_at, "value": value,
                                    "flag": "自测"})
    for record in visits:
        for key, value in record.readings.items():
            if key in points:
                points[key].append({"when": _clinic_time(record.visited_on), "value": value,
                                    "flag": "随访"})
    charts = []
    for measure in MEASURES:
        series = sorted(points[measure.key], key=lambda p: p["when"])
        if not series:
            continue
        low, high = band.get(measure.low or ""), band.get(measure.high or "")
        charts.append(VitalChart(measure.key, measure.name, measure.unit, low, high,
                                 _band_words(series, low, high, measure.unit), series))
    return charts


def _band_words(series: list[dict[str, Any]], low: float | None, high: float | None,
                unit: str) -> str:
    last = series[-1]["value"]
    if high is None and low is None:
        return f"最近一次{last:g}{unit}"
    target = (f"{low:g}～{high:g}" if low is not None and high is not None
              else f"低于{high:g}" if high is not None else f"高于{low:g}")
    outside = (high is not None and last >= high) or (low is not None and last <= low)
    above = sum(1 for p in series if high is not None and p["value"] >= high)
    return (f"目标{target}{unit}；最近一次{last:g}{unit}，{'未达标' if outside else '达标'}；"
            f"共{len(series)}次，{above}次高于目标")


@section(StaffRole.FAMILY_DOCTOR)
def abnormal_readings(principal: Principal) -> Section:
    """Home readings of my residents in the last week that were high or urgent, latest per
    resident, urgent first; each opens the follow-up form (and the resident's page if signed)."""
    since = utcnow() - timedelta(days=NEW_READING_DAYS)
    newest = (select(VitalReading.resident_id, func.max(VitalReading.measured_at).label("at"),
                     func.count().label("n"))
              .where(VitalReading.measured_at >= since,
                     VitalReading.level.in_(("high", "urgent")),
                     VitalReading.resident_id.in_(_my_residents(principal)))
              .group_by(VitalReading.resident_id).subquery())
    rows = db.session.execute(
        select(VitalReading, Resident, newest.c.n)
        .join(newest, (newest.c.resident_id == VitalReading.resident_id)
              & (newest.c.at == VitalReading.measured_at))
        .join(Resident, Resident.id == VitalReading.resident_id)
        .where(VitalReading.level.in_(("high", "urgent")))
        .order_by(VitalReading.measured_at.desc()).limit(MAX_ITEMS)).all()
    signed = _signed_profiles(principal, {p.patient_id for _, p, _ in rows if p.patient_id})
    seen: set[int] = set()
    items = []
    for reading, person, count in sorted(rows, key=lambda r: r[0].level != "urgent"):
        if person.id in seen:
            continue
        seen.add(person.id)
        items.append({"reading": reading, "resident": person, "count": count,
                      "words": reading_words(reading),
                      "level_words": READING_WORDS[reading.level],
                      "profile_id": signed.get(person.patient_id)})
    return Section("abnormal_readings", f"近{NEW_READING_DAYS}天异常自测", len(items), items,
                   urgent=any(i["reading"].level == "urgent" for i in items),
                   empty_words="近一周您的居民没有异常的家庭自测。")


def _my_residents(principal: Principal):
    """The doctor's residents (responsible in an open enrolment, or signed by contract), found
    from the doctor's side so their readings are read by resident through the index, rather
    than testing each of a district's residents (`visible_residents`, the same set)."""
    responsible = select(ProgrammeEnrolment.resident_id).where(
        ProgrammeEnrolment.doctor_id == principal.staff_id, ProgrammeEnrolment.ended_on.is_(None))
    signed = select(Resident.id).join(
        SignedResident, SignedResident.patient_id == Resident.patient_id).where(
        SignedResident.staff_id == principal.staff_id)
    return union(responsible, signed)


def _signed_profiles(principal: Principal, patient_ids: set[int]) -> dict[int, Any]:
    if not patient_ids:
        return {}
    return dict(db.session.execute(
        visible_profiles(principal).with_only_columns(PatientProfile.id,
                                                      PatientProfile.external_id)
        .where(PatientProfile.id.in_(patient_ids))).all())
