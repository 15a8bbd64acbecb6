"""Portrait statements from the chronic-disease programmes (高血压 / 2型糖尿病患者健康管理):
the programmes a resident is in, blood pressure control with its course against the resident's
target, blood pressure above target at several readings in a row, and an overdue follow-up.

Pure functions over `rules.Held` (its `enrolments` and `blood_pressure`), each statement with
its evidence like every other; thresholds and their sources are in portrait_rules.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend.services.portraits import rules


@dataclass(frozen=True)
class EnrolmentFact:
    enrolment_id: str
    programme: str  # in words: 高血压, 2型糖尿病
    enrolled_on: date
    next_due_on: date
    level_words: str


@dataclass(frozen=True)
class BloodPressure:
    """One reading, at home (`reading`) or at a follow-up visit (`followup`)."""

    source_id: str
    kind: str
    when: datetime
    systolic: float
    diastolic: float

    @property
    def words(self) -> str:
        return f"{self.systolic:g}/{self.diastolic:g}"


def _enrolment_evidence(fact: EnrolmentFact, day: date, label: str) -> dict[str, Any]:
    return {"kind": "enrolment", "id": fact.enrolment_id, "date": day.isoformat(),
            "label": label}


def _bp_evidence(bp: BloodPressure) -> dict[str, Any]:
    where = "家庭自测" if bp.kind == "reading" else "随访测量"
    return {"kind": bp.kind, "id": bp.source_id, "date": bp.when.date().isoformat(),
            "label": f"{where}血压 {bp.words}mmHg"}


def _above(bp: BloodPressure, target: tuple[float, float]) -> bool:
    return bp.systolic >= target[0] or bp.diastolic >= target[1]


def problems(held: rules.Held) -> list[dict[str, Any]]:
    return [rules.statement(
        f"programme:{fact.enrolment_id}", "problems",
        f"{fact.programme}，已纳入慢病健康管理（{fact.enrolled_on:%Y-%m-%d}起，{fact.level_words}）。",
        [_enrolment_evidence(fact, fact.enrolled_on, f"{fact.programme}患者健康管理档案")],
        "enrolled") for fact in held.enrolments]


def control(held: rules.Held) -> list[dict[str, Any]]:
    series = sorted(held.blood_pressure, key=lambda b: b.when)
    if len(series) < 2 or held.bp_target is None:
        return []
    shown = series[-rules.rules()["bp_course_readings"]:]
    above = sum(1 for b in shown if _above(b, held.bp_target))
    target = f"{held.bp_target[0]:g}/{held.bp_target[1]:g}"
    verdict = "都在目标内" if above == 0 else f"{above}次未达标"
    return [rules.statement(
        "control:blood_pressure", "control",
        f"血压最近{len(shown)}次：{'→'.join(b.words for b in shown)}mmHg；"
        f"目标低于{target}mmHg，{verdict}。",
        [_bp_evidence(b) for b in shown], "bp_course")]


def gaps(held: rules.Held) -> list[dict[str, Any]]:
    config, out = rules.rules(), []
    in_a_row = config["uncontrolled_bp_readings"]["count"]
    series = sorted(held.blood_pressure, key=lambda b: b.when)[-in_a_row:]
    if held.bp_target and len(series) == in_a_row and all(
            _above(b, held.bp_target) for b in series):
        out.append(rules.statement(
            "gap:bp_uncontrolled", "gaps",
            f"最近连续{in_a_row}次血压没有达到目标（低于{held.bp_target[0]:g}/"
            f"{held.bp_target[1]:g}mmHg）。", [_bp_evidence(b) for b in series],
            "uncontrolled_bp"))
    for fact in held.enrolments:
        if fact.next_due_on < held.today:
            out.append(rules.statement(
                f"gap:overdue:{fact.enrolment_id}", "gaps",
                f"{fact.programme}随访已逾期：应在{fact.next_due_on:%Y-%m-%d}随访。",
                [_enrolment_evidence(fact, fact.next_due_on, f"{fact.programme}随访计划")],
                "overdue_followup"))
    return out


ACTIONS = {
    "uncontrolled_bp": "建议到社区面对面随访，和医生一起找找血压没有达标的原因。",
    "overdue_followup": "建议尽快安排{programme}随访。",
}


def actions(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for made in found:
        if made["rule"] not in ACTIONS:
            continue
        programme = made["text"].split("随访已逾期")[0]
        out.append(rules.statement(f"action:{made['key']}", "actions",
                                   ACTIONS[made["rule"]].format(programme=programme),
                                   made["evidence"], f"action_for:{made['rule']}"))
    return out


def build(held: rules.Held) -> list[dict[str, Any]]:
    found = problems(held) + control(held) + gaps(held)
    return found + actions(found)
