"""The China-PAR 10-year ASCVD risk (Yang X et al., Circulation 2016): a sex-specific Cox model,
risk = 1 − S10^exp(Σβx − mean), with interaction terms.

Pure: `assess` takes the resident's inputs and a coefficient set already checked by
`china_par_file.load` (None when no vetted file exists) and says what can be said: the risk and
its band, or why it is not computed (known ASCVD, age outside the range, inputs missing or
implausible, no vetted coefficients). It never guesses a number. Rules and ranges are in
risk_inputs.yaml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

INPUTS_FILE = Path(__file__).with_name("risk_inputs.yaml")
# mg/dL per mmol/L of cholesterol: reports/data/tests_blood.yaml converts mg/dL by 0.02586.
CHOLESTEROL_MG_PER_MMOL = 1 / 0.02586
# What the equation reads, in the order the portrait lists them.
INPUT_WORDS = {"age": "年龄", "systolic": "收缩压（随访测量）", "bp_treated": "是否服降压药",
               "total_cholesterol": "总胆固醇", "hdl_cholesterol": "高密度脂蛋白胆固醇",
               "waist_cm": "腰围", "current_smoker": "现在吸烟", "diabetes": "糖尿病",
               "north": "南北方（按机构所在省份）", "urban": "城乡",
               "family_history": "心血管病家族史"}
# The equation's variables a coefficient file's terms may multiply.
VARIABLES = ("age", "ln_age", "ln_sbp_treated", "ln_sbp_untreated", "ln_total_cholesterol",
             "ln_hdl_cholesterol", "ln_waist", "current_smoker", "diabetes", "north", "urban",
             "family_history")


@cache
def settings() -> dict[str, Any]:
    with INPUTS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass(frozen=True)
class RiskInputs:
    """None means the system does not hold it. Cholesterol in mmol/L, SBP in mmHg.
    `family_history` is a risk_inputs.yaml value id (none | late | premature | unknown_age)."""

    sex: str
    age: int
    systolic: float | None = None
    bp_treated: bool | None = None
    total_cholesterol: float | None = None
    hdl_cholesterol: float | None = None
    waist_cm: float | None = None
    current_smoker: bool | None = None
    diabetes: bool | None = None
    north: bool | None = None
    urban: bool | None = None
    family_history: str | None = None
    known_ascvd: bool = False


@dataclass(frozen=True)
class Coefficients:
    """One vetted set (see china_par_file). `sexes[sex]` = (S10, mean, [(variables, beta)])."""

    reference: str
    table: str
    vetted_by: str
    vetted_on: str
    age_min: int
    age_max: int
    cholesterol_unit: str  # mmol/L | mg/dL
    family_history: str  # any | premature
    sexes: dict[str, tuple[float, float, list[tuple[tuple[str, ...], float]]]]


@dataclass
class Assessment:
    """status: computed | known_ascvd | age_out_of_range | no_coefficients | missing |
    implausible. `risk` (percent, one decimal) and `band` only when computed."""

    status: str
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    risk: float | None = None
    band: dict[str, Any] | None = None


def percent(fraction: float) -> float:
    """A risk as shown: percent to one decimal, halves rounded up (4.65 → 4.7)."""
    return float(Decimal(repr(fraction * 100)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def band_of(risk_percent: float) -> dict[str, Any]:
    for row in settings()["bands"]["rows"]:
        if row["below"] is None or risk_percent < row["below"]:
            return row
    raise ValueError("risk bands must end with an open row")


def family_history_flag(value: str | None, reading: str) -> bool | None:
    """The paper's 0/1 from the stored answer; None where the answer cannot decide it."""
    if value is None:
        return None
    if reading == "any":
        return value != "none"
    return {"none": False, "late": False, "premature": True}.get(value)


def _problems(inputs: RiskInputs) -> list[str]:
    limits, out = settings()["measured"], []
    waist = settings()["factors"]["waist_cm"]["number"]
    for name, value, rule in (("systolic", inputs.systolic, limits["systolic"]),
                              ("total_cholesterol", inputs.total_cholesterol,
                               limits["total_cholesterol"]),
                              ("hdl_cholesterol", inputs.hdl_cholesterol,
                               limits["hdl_cholesterol"]),
                              ("waist_cm", inputs.waist_cm, waist)):
        if value is not None and not rule["min"] <= value <= rule["max"]:
            out.append(f"{INPUT_WORDS[name]} {value:g} 超出合理范围"
                       f"（{rule['min']:g}～{rule['max']:g}）")
    if inputs.sex not in ("male", "female"):
        out.append("性别不明")
    return out


def variables(inputs: RiskInputs, coefficients: Coefficients) -> dict[str, float]:
    """The equation's x values (inputs already checked complete and plausible)."""
    per_mmol = CHOLESTEROL_MG_PER_MMOL if coefficients.cholesterol_unit == "mg/dL" else 1.0
    ln_sbp = math.log(inputs.systolic)
    return {"age": float(inputs.age), "ln_age": math.log(inputs.age),
            "ln_sbp_treated": ln_sbp if inputs.bp_treated else 0.0,
            "ln_sbp_untreated": 0.0 if inputs.bp_treated else ln_sbp,
            "ln_total_cholesterol": math.log(inputs.total_cholesterol * per_mmol),
            "ln_hdl_cholesterol": math.log(inputs.hdl_cholesterol * per_mmol),
            "ln_waist": math.log(inputs.waist_cm),
            "current_smoker": float(inputs.current_smoker), "diabetes": float(inputs.diabetes),
            "north": float(inputs.north), "urban": float(inputs.urban),
            "family_history": float(family_history_flag(inputs.family_history,
                                                        coefficients.family_history))}


def ten_year_risk(inputs: RiskInputs, coefficients: Coefficients) -> float:
    """1 − S10^exp(Σβx − mean), as a fraction (not rounded)."""
    survival, mean, terms = coefficients.sexes[inputs.sex]
    x = variables(inputs, coefficients)
    score = sum(beta * math.prod(x[name] for name in names) for names, beta in terms)
    return 1.0 - survival ** math.exp(score - mean)


def assess(inputs: RiskInputs, coefficients: Coefficients | None) -> Assessment:
    if inputs.known_ascvd:
        return Assessment("known_ascvd")
    low = settings()["age"]["min"]
    high = None
    if coefficients is not None:
        low, high = max(low, coefficients.age_min), coefficients.age_max
    if inputs.age < low or (high is not None and inputs.age > high):
        return Assessment("age_out_of_range", problems=[
            f"年龄{inputs.age}岁，评估范围为{low}～{high}岁" if high else
            f"年龄{inputs.age}岁，{low}岁及以上才评估"])
    reading = coefficients.family_history if coefficients else "any"
    values = {name: getattr(inputs, name) for name in INPUT_WORDS if name != "family_history"}
    values["family_history"] = family_history_flag(inputs.family_history, reading)
    present = [name for name, value in values.items() if value is not None]
    missing = [name for name, value in values.items() if value is None]
    if coefficients is None:
        return Assessment("no_coefficients", present, missing, _problems(inputs))
    if missing:
        return Assessment("missing", present, missing)
    problems = _problems(inputs)
    if problems:
        return Assessment("implausible", present, [], problems)
    risk = percent(ten_year_risk(inputs, coefficients))
    return Assessment("computed", present, [], [], risk, band_of(risk))
