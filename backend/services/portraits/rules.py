"""The portrait's statements, built deterministically from what the system holds.

Pure functions over `Held` (no database): problems (results outside their range, latest per
test), risk factors, control with trends, gaps in care and suggested next actions. Every
statement carries its evidence (the source records with their dates); `with_evidence` drops any
statement that has none, so nothing unsupported can be shown. Thresholds and their sources are
in portrait_rules.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).with_name("portrait_rules.yaml")
NOT_NORMAL = ("mild", "marked", "critical")
SECTIONS = (("problems", "健康问题"), ("risks", "危险因素"), ("control", "控制情况与趋势"),
            ("gaps", "待补的检查"), ("actions", "建议下一步"))


@cache
def rules() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass(frozen=True)
class Result:
    report_id: str
    report_title: str
    when: datetime
    code: str
    name: str
    value: str
    number: float | None
    unit: str
    flag_words: str
    level: str
    critical: bool = False


@dataclass(frozen=True)
class NoteFact:
    note_id: str
    when: datetime
    red_flag: str | None


@dataclass
class Held:
    patient_id: str
    age: int
    birth_date: date
    today: date
    results: list[Result] = field(default_factory=list)
    notes: list[NoteFact] = field(default_factory=list)
    # From the programme file (programme_rules): enrolments, blood pressure, the BP target.
    enrolments: list[Any] = field(default_factory=list)
    blood_pressure: list[Any] = field(default_factory=list)
    bp_target: tuple[float, float] | None = None
    # For the 10-year cardiovascular risk (cvd_facts / cvd_rules).
    sex: str = ""
    cvd: Any = None


def _evidence(result: Result) -> dict[str, Any]:
    return {"kind": "report", "id": result.report_id, "date": result.when.date().isoformat(),
            "label": f"{result.report_title}：{result.name} {result.value}{result.unit}"}


def statement(key: str, section: str, text: str, evidence: list[dict[str, Any]],
               rule: str) -> dict[str, Any]:
    return {"key": key, "section": section, "text": text, "evidence": evidence, "rule": rule}


def _latest_by_test(held: Held) -> dict[str, list[Result]]:
    series: dict[str, list[Result]] = {}
    for result in sorted(held.results, key=lambda r: r.when):
        series.setdefault(result.code, []).append(result)
    return series


def problems(held: Held) -> list[dict[str, Any]]:
    out = []
    for code, series in _latest_by_test(held).items():
        last = series[-1]
        if last.level not in NOT_NORMAL:
            continue
        words = "危急值" if last.critical else last.flag_words
        out.append(statement(f"problem:{code}", "problems",
                              f"{last.name} {last.value}{last.unit}，{words}"
                              f"（{last.when:%Y-%m-%d}）。", [_evidence(last)], "latest_result"))
    return out


def risks(held: Held) -> list[dict[str, Any]]:
    config, out = rules(), []
    elderly = config["elderly_age"]["years"]
    if held.age >= elderly:
        out.append(statement("risk:age", "risks", f"年龄{held.age}岁（{elderly}岁及以上）。",
                              [{"kind": "profile", "id": held.patient_id,
                                "date": held.birth_date.isoformat(), "label": "出生日期"}],
                              "age"))
    latest = _latest_by_test(held)
    for group in config["risk_tests"]:
        raised = [latest[c][-1] for c in group["codes"]
                  if c in latest and latest[c][-1].level in NOT_NORMAL
                  and "高" in latest[c][-1].flag_words]
        if raised:
            out.append(statement(f"risk:{group['codes'][0]}", "risks",
                                  f"{group['words']}：" + "，".join(
                                      f"{r.name} {r.value}{r.unit}" for r in raised) + "。",
                                  [_evidence(r) for r in raised], "raised_test"))
    since = held.today - timedelta(days=config["red_flag_lookback_days"])
    for note in held.notes:
        if note.red_flag and note.when.date() >= since:
            out.append(statement(f"risk:note:{note.note_id}", "risks",
                                  f"预问诊时出现危险信号：{note.red_flag}（{note.when:%Y-%m-%d}）。",
                                  [{"kind": "note", "id": note.note_id,
                                    "date": note.when.date().isoformat(),
                                    "label": "预问诊记录"}], "red_flag_note"))
    return out


def control(held: Held, trend_words) -> list[dict[str, Any]]:
    """`trend_words(code, points)` says the direction in words (the reports domain's)."""
    out = []
    for code, series in _latest_by_test(held).items():
        numeric = [r for r in series if r.number is not None]
        if len(numeric) < 2:
            continue
        values = "→".join(f"{r.value}" for r in numeric[-4:])
        out.append(statement(f"control:{code}", "control",
                              f"{numeric[-1].name}最近{min(len(numeric), 4)}次：{values}"
                              f"{numeric[-1].unit}。{trend_words(code, numeric)}",
                              [_evidence(r) for r in numeric[-4:]], "trend"))
    return out


def gaps(held: Held) -> list[dict[str, Any]]:
    config, out = rules(), []
    latest = _latest_by_test(held)
    annual = config["annual_check_days"]["days"]
    newest = max((r.when for r in held.results), default=None)
    if held.age >= config["elderly_age"]["years"] and (
            newest is None or newest.date() < held.today - timedelta(days=annual)):
        evidence = ([_evidence(max(held.results, key=lambda r: r.when))] if newest else
                    [{"kind": "profile", "id": held.patient_id,
                      "date": held.birth_date.isoformat(), "label": "出生日期（未见检验记录）"}])
        out.append(statement("gap:annual", "gaps",
                              "近一年没有检验检查记录，还没有做今年的老年人健康体检。",
                              evidence, "annual_check"))
    glucose = [latest[c][-1] for c in config["glucose_codes"]
               if c in latest and latest[c][-1].level in NOT_NORMAL
               and "高" in latest[c][-1].flag_words]
    window = held.today - timedelta(days=config["hba1c_interval_days"]["days"])
    recent_hba1c = [r for c in config["hba1c_codes"] for r in latest.get(c, [])
                    if r.when.date() >= window]
    if glucose and not recent_hba1c:
        out.append(statement("gap:hba1c", "gaps",
                              "血糖偏高，但近6个月没有糖化血红蛋白结果。",
                              [_evidence(r) for r in glucose], "hba1c_interval"))
    return out


ACTIONS = {
    "gap:annual": "建议预约今年的老年人健康体检。",
    "gap:hba1c": "建议检测糖化血红蛋白。",
}


def actions(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for made in found:
        key = made["key"]
        if key in ACTIONS:
            text = ACTIONS[key]
        elif key.startswith("problem:"):
            name = made["text"].split(" ", 1)[0]
            text = (f"{name}为危急值，请确认临床已处理并随访。" if "危急值" in made["text"]
                    else f"建议复查{name}，必要时请专科医生评估。")
        else:
            continue
        out.append(statement(f"action:{key}", "actions", text, made["evidence"],
                              f"action_for:{made['rule']}"))
    return out


def with_evidence(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A statement without evidence is not shown: dropped here, once, for every section."""
    return [s for s in statements if s["evidence"] and all(e.get("id") and e.get("date")
                                                           for e in s["evidence"])]


def build(held: Held, trend_words, more=()) -> list[dict[str, Any]]:
    """`more`: statements other rule sets made from the same Held (programme_rules)."""
    found = problems(held) + risks(held) + control(held, trend_words) + gaps(held)
    return with_evidence(found + actions(found) + list(more))
