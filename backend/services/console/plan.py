"""The resident's current plan on their console page: each open programme with its level,
responsible doctor, next follow-up, medicines with their times, personal targets and how
often to measure at home (ProgrammeEnrolment.plan, as the follow-up API stores it)."""

from __future__ import annotations

from typing import Any

from backend.models import MANAGEMENT_LEVELS, Resident
from backend.services.console.followup import PROGRAMME_NAMES
from backend.timeutil import local_today

TARGET_WORDS = {"systolic_below": ("收缩压低于", "mmHg"), "diastolic_below": ("舒张压低于", "mmHg"),
                "fasting_glucose_below": ("空腹血糖低于", "mmol/L"),
                "postprandial_glucose_below": ("餐后血糖低于", "mmol/L"),
                "hba1c_below": ("糖化血红蛋白低于", "%")}
MONITORING_WORDS = {"blood_pressure_per_week": "每周量血压{}次",
                    "glucose_per_week": "每周测血糖{}次",
                    "hba1c_every_months": "每{}个月查一次糖化血红蛋白"}


def current(person: Resident | None) -> list[dict[str, Any]]:
    if person is None:
        return []
    today = local_today()
    plans = []
    for enrolment in person.enrolments:
        if enrolment.ended_on is not None:
            continue
        plan = enrolment.plan or {}
        plans.append({
            "programme": PROGRAMME_NAMES.get(enrolment.programme, enrolment.programme),
            "level": MANAGEMENT_LEVELS.get(enrolment.management_level, ""),
            "doctor": enrolment.doctor.display_name,
            "next_due_on": enrolment.next_due_on, "overdue": enrolment.next_due_on < today,
            "medications": [f"{m['name']} {m['dose']}（{'、'.join(m['times'])}）"
                            for m in plan.get("medications", [])],
            "targets": [f"{TARGET_WORDS[k][0]}{v:g}{TARGET_WORDS[k][1]}"
                        for k, v in plan.get("targets", {}).items() if k in TARGET_WORDS],
            "monitoring": [MONITORING_WORDS[k].format(v)
                           for k, v in plan.get("monitoring", {}).items()
                           if k in MONITORING_WORDS],
        })
    return plans
