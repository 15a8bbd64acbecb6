"""What the system holds for the 10-year cardiovascular risk (the database side of cvd_rules):
each input with the record and date it comes from, so the portrait's statement can show them.

Blood pressure is the latest confirmed follow-up visit's (measured by the doctor, as in the
paper), lipids the latest released results, treatment and diabetes the open programmes, region
the health centre's province, the rest the newest dated entry (risk_factor_entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    FollowUpOutcome,
    FollowUpRecord,
    Organization,
    PatientProfile,
    Resident,
    RiskFactorEntry,
)
from backend.services.portraits import rules
from backend.services.portraits.china_par import RiskInputs, settings

REGIONS_FILE = Path(__file__).with_name("regions.yaml")
SOURCE_WORDS = {"doctor": "医生登记", "resident": "居民自报"}
# A stored entry → the equation's input (RiskInputs field, value).
READ = {"waist_cm": ("waist_cm", float),
        "current_smoker": ("current_smoker", lambda value: value == "yes"),
        "family_history_ascvd": ("family_history", str),
        "residence": ("urban", lambda value: value == "urban")}


@cache
def regions() -> dict[str, Any]:
    with REGIONS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def region_of(organization: Organization) -> str | None:
    """north | south from the centre's province; where the Yangtze crosses the province only
    the centre's own setting decides; None when neither is configured."""
    row = regions()["provinces"].get(organization.province or "")
    if row and row["region"] in ("north", "south"):
        return row["region"]
    return organization.cvd_region if row else None


@dataclass
class CvdFacts:
    inputs: dict[str, Any] = field(default_factory=dict)  # RiskInputs fields
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)  # how a value without a record reads
    ascvd: list[dict[str, Any]] = field(default_factory=list)  # evidence of known ASCVD
    marks: list[str] = field(default_factory=list)

    def risk_inputs(self, sex: str, age: int) -> RiskInputs:
        return RiskInputs(sex=sex, age=age, known_ascvd=bool(self.ascvd), **self.inputs)


def latest_entries(person: Resident) -> dict[str, RiskFactorEntry]:
    rows = db.session.execute(select(RiskFactorEntry).where(
        RiskFactorEntry.resident_id == person.id).order_by(
        RiskFactorEntry.observed_on.desc(), RiskFactorEntry.id.desc())).scalars()
    latest: dict[str, RiskFactorEntry] = {}
    for row in rows:
        latest.setdefault(row.factor, row)
    return latest


def _entry_evidence(entry: RiskFactorEntry) -> dict[str, Any]:
    factor = settings()["factors"][entry.factor]
    value = factor.get("values", {}).get(entry.value, f"{entry.value}{factor.get('unit', '')}")
    return {"kind": "risk_factor", "id": str(entry.external_id),
            "date": entry.observed_on.isoformat(),
            "label": f"{factor['words']}：{value}（{SOURCE_WORDS[entry.source]}）"}


def _entries(facts: CvdFacts, person: Resident, today: date) -> None:
    for name, entry in latest_entries(person).items():
        facts.marks.append(f"k{entry.external_id}")
        days = settings()["factors"][name].get("valid_days")
        if days and entry.observed_on < today - timedelta(days=days["days"]):
            continue
        evidence = [_entry_evidence(entry)]
        if name == "ascvd_history":
            if entry.value == "yes":
                facts.ascvd.extend(evidence)
            continue
        key, read = READ[name]
        facts.inputs[key], facts.evidence[key] = read(entry.value), evidence


def _visits(facts: CvdFacts, person: Resident, today: date) -> None:
    measured = settings()["measured"]
    since = today - timedelta(days=measured["systolic"]["valid_days"])
    for record in db.session.execute(select(FollowUpRecord).where(
            FollowUpRecord.resident_id == person.id, FollowUpRecord.visited_on >= since,
            FollowUpRecord.review_status.is_(None),
            FollowUpRecord.method.in_(measured["systolic_methods"]))
            .order_by(FollowUpRecord.visited_on.desc(), FollowUpRecord.id.desc())).scalars():
        if "systolic" in record.readings:
            facts.inputs["systolic"] = float(record.readings["systolic"])
            facts.evidence["systolic"] = [{
                "kind": "followup", "id": str(record.external_id),
                "date": record.visited_on.isoformat(),
                "label": f"随访测量收缩压 {record.readings['systolic']:g}mmHg"}]
            break
    codes = settings()["ascvd_complications"]["codes"]
    for outcome in db.session.execute(select(FollowUpOutcome).join(FollowUpRecord).where(
            FollowUpRecord.resident_id == person.id).order_by(FollowUpOutcome.id)).scalars():
        found = [codes[c] for c in outcome.complications if c in codes]
        if found:
            facts.ascvd.append({"kind": "followup", "id": str(outcome.record.external_id),
                                "date": outcome.visited_on.isoformat(),
                                "label": "随访记录的并发症：" + "、".join(found)})


def _programmes(facts: CvdFacts, person: Resident) -> None:
    open_ = {e.programme: e for e in person.enrolments if e.ended_on is None}
    for key, programme, words in (("bp_treated", "hypertension", "高血压"),
                                  ("diabetes", "type2_diabetes", "2型糖尿病")):
        enrolment = open_.get(programme)
        if enrolment is None:
            facts.inputs[key] = False
            facts.words[key] = (f"未纳入{words}管理，按"
                                f"{'未服降压药' if key == 'bp_treated' else '无糖尿病'}计")
            continue
        value = bool(enrolment.plan.get("medications")) if key == "bp_treated" else True
        facts.inputs[key] = value
        label = (("管理计划中有降压药" if value else "管理计划中没有降压药")
                 if key == "bp_treated" else "已纳入2型糖尿病患者健康管理")
        when = (enrolment.plan_updated_at.date() if key == "bp_treated"
                and enrolment.plan_updated_at else enrolment.enrolled_on)
        facts.evidence[key] = [{"kind": "enrolment", "id": str(enrolment.external_id),
                                "date": when.isoformat(), "label": label}]


def _lipids(facts: CvdFacts, results: list[rules.Result], today: date) -> None:
    measured = settings()["measured"]
    for key in ("total_cholesterol", "hdl_cholesterol"):
        since = today - timedelta(days=measured[key]["valid_days"])
        found = [r for r in results if r.code in measured[f"{key}_codes"]
                 and r.number is not None and r.unit == "mmol/L" and r.when.date() >= since]
        if found:
            last = max(found, key=lambda r: r.when)
            facts.inputs[key] = last.number
            facts.evidence[key] = [{"kind": "report", "id": last.report_id,
                                    "date": last.when.date().isoformat(),
                                    "label": f"{last.report_title}：{last.name} {last.value}"
                                             f"{last.unit}"}]


def gather(profile: PatientProfile, results: list[rules.Result], today: date) -> CvdFacts:
    facts = CvdFacts()
    _lipids(facts, results, today)
    person = db.session.execute(select(Resident).where(
        Resident.patient_id == profile.id)).scalars().first()
    if person is None:
        return facts
    _entries(facts, person, today)
    _visits(facts, person, today)
    _programmes(facts, person)
    organization = db.session.get(Organization, person.organization_id)
    region = region_of(organization)
    if region is not None:
        facts.inputs["north"] = region == "north"
        province = regions()["provinces"][organization.province]["name"]
        side = "北方" if region == "north" else "南方"
        facts.words["north"] = f"按{side}计（{organization.name}，{province}）"
    return facts
