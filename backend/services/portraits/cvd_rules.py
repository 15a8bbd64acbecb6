"""The portrait's line on the 10-year cardiovascular risk (China-PAR), from `china_par.assess`.

Pure. With a vetted coefficient file and every input present the line gives the risk and its
band (2019 Chinese guideline); otherwise it says plainly why there is no number and which inputs
the system has and which it lacks. Its evidence is the dated records of the inputs used.
"""

from __future__ import annotations

from typing import Any

from backend.services.portraits import rules
from backend.services.portraits.china_par import (
    INPUT_WORDS,
    Assessment,
    Coefficients,
    assess,
    settings,
)
from backend.services.portraits.cvd_facts import CvdFacts

KEY = "risk:china_par"
NOT_VETTED = "10年心血管病风险：尚未计算（风险方程的系数待医务部确认）。"


def _age_evidence(held: rules.Held) -> dict[str, Any]:
    return {"kind": "profile", "id": held.patient_id, "date": held.birth_date.isoformat(),
            "label": f"出生日期（{held.age}岁）"}


def _inputs_evidence(held: rules.Held, facts: CvdFacts) -> list[dict[str, Any]]:
    out = [_age_evidence(held)]
    for name in INPUT_WORDS:
        out.extend(facts.evidence.get(name, []))
    return out


def _names(names: list[str]) -> str:
    return "、".join(INPUT_WORDS[n] for n in names)


def _band_words(result: Assessment) -> str:
    rows = settings()["bands"]["rows"]
    index = next(i for i, row in enumerate(rows) if row["id"] == result.band["id"])
    low = rows[index - 1]["below"] if index else None
    high = rows[index]["below"]
    span = (f"<{high:g}%" if low is None else f"≥{low:g}%" if high is None
            else f"{low:g}%～{high - 0.1:g}%")
    return f"{result.band['words']}（{span}）"


def _text(result: Assessment, facts: CvdFacts, coefficients: Coefficients | None) -> str:
    if result.status == "computed":
        basis = f"其中{'；'.join(facts.words.values())}。" if facts.words else ""
        return (f"10年心血管病风险（China-PAR）：{result.risk:g}%，属{_band_words(result)}。"
                f"{basis}方程：{coefficients.reference}（{coefficients.table}）。")
    if result.status == "age_out_of_range":
        return f"10年心血管病风险：不评估，{result.problems[0]}。"
    if result.status == "no_coefficients":
        held = f"已有：{_names(result.present)}" if result.present else "已有：无"
        lacking = f"；还缺：{_names(result.missing)}" if result.missing else "；资料已齐"
        check = f"；请核对：{'；'.join(result.problems)}" if result.problems else ""
        return f"{NOT_VETTED}{held}{lacking}{check}。"
    if result.status == "missing":
        return f"10年心血管病风险：尚未计算，还缺：{_names(result.missing)}。"
    return f"10年心血管病风险：尚未计算，请核对：{'；'.join(result.problems)}。"


def build(held: rules.Held, facts: CvdFacts, sex: str,
          coefficients: Coefficients | None) -> list[dict[str, Any]]:
    result = assess(facts.risk_inputs(sex, held.age), coefficients)
    if result.status == "age_out_of_range" and held.age < settings()["age"]["min"]:
        return []  # a child's portrait says nothing about adult cardiovascular risk
    if result.status == "known_ascvd":
        return [rules.statement(
            KEY, "risks",
            "已有冠心病、脑卒中等心血管病，不再评估10年发病风险，请按已患病规范管理。",
            facts.ascvd, "china_par_known_ascvd")]
    return [rules.statement(KEY, "risks", _text(result, facts, coefficients),
                            _inputs_evidence(held, facts), f"china_par_{result.status}")]
