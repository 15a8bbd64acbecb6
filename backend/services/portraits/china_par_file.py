"""Reading the China-PAR coefficient file (china_par_coefficients.yaml) and refusing it unless it
is complete, signed off and reproduces its own worked examples.

The file is not shipped: the medical lead supplies it (china_par_coefficients.example.yaml shows
its shape without numbers; china_par_vetting.md says what it must rest on). `load` returns None
when there is no file, and raises `CoefficientsRefused` with the reason when there is one that
cannot be used, so the portrait never shows a number from an unvetted or broken set.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from backend.services.portraits.china_par import (
    INPUT_WORDS,
    VARIABLES,
    Coefficients,
    RiskInputs,
    percent,
    settings,
    ten_year_risk,
)

DEFAULT_FILE = Path(__file__).with_name("china_par_coefficients.yaml")
REQUIRED = ("reference", "table", "vetted_by", "vetted_on")
MAX_BYTES = 64_000


class CoefficientsRefused(ValueError):
    """The file exists but must not be used; the message says why (for the log)."""


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CoefficientsRefused(f"{where}: a number is needed, found {value!r}")
    return float(value)


def _sex(name: str, raw: Any) -> tuple[float, float, list[tuple[tuple[str, ...], float]]]:
    if not isinstance(raw, dict):
        raise CoefficientsRefused(f"sexes.{name}: missing")
    survival = _number(raw.get("baseline_survival_10y"), f"sexes.{name}.baseline_survival_10y")
    if not 0 < survival < 1:
        raise CoefficientsRefused(f"sexes.{name}.baseline_survival_10y must lie between 0 and 1")
    mean = _number(raw.get("mean_score"), f"sexes.{name}.mean_score")
    terms = []
    for index, term in enumerate(raw.get("terms") or []):
        where = f"sexes.{name}.terms[{index}]"
        names = term.get("of") if isinstance(term, dict) else None
        if not names or not isinstance(names, list) or not set(names) <= set(VARIABLES):
            raise CoefficientsRefused(f"{where}.of must list variables of {VARIABLES}")
        if not str(term.get("row") or "").strip():
            raise CoefficientsRefused(f"{where}.row: say where the coefficient is printed")
        terms.append((tuple(names), _number(term.get("beta"), f"{where}.beta")))
    if not terms:
        raise CoefficientsRefused(f"sexes.{name}.terms: no terms")
    return survival, mean, terms


def _example_inputs(example: dict[str, Any], where: str) -> RiskInputs:
    known = set(INPUT_WORDS) | {"sex", "source", "risk_percent"}
    unknown = set(example) - known
    absent = (set(INPUT_WORDS) | {"sex"}) - set(example)
    if unknown or absent:
        raise CoefficientsRefused(f"{where}: unknown {sorted(unknown)}, missing {sorted(absent)}")
    fields = {k: v for k, v in example.items() if k not in ("source", "risk_percent")}
    return RiskInputs(**fields)


def _check_examples(coefficients: Coefficients, examples: Any) -> None:
    """Each example must come out as printed (to its one decimal); one per sex at least."""
    if not isinstance(examples, list):
        raise CoefficientsRefused("worked_examples: a list is needed")
    sexes = set()
    for index, example in enumerate(examples):
        where = f"worked_examples[{index}]"
        if not isinstance(example, dict) or not str(example.get("source") or "").strip():
            raise CoefficientsRefused(f"{where}.source: name the published example")
        inputs = _example_inputs(example, where)
        if inputs.sex not in coefficients.sexes:
            raise CoefficientsRefused(f"{where}.sex must be male or female")
        printed = _number(example.get("risk_percent"), f"{where}.risk_percent")
        got = percent(ten_year_risk(inputs, coefficients))
        if got != printed:
            raise CoefficientsRefused(f"{where} ({example['source']}): the coefficients give "
                                      f"{got}% where {printed}% is published")
        sexes.add(inputs.sex)
    if sexes != {"male", "female"}:
        raise CoefficientsRefused("worked_examples: at least one for men and one for women")


def parse(raw: Any, today: date) -> Coefficients:
    if not isinstance(raw, dict):
        raise CoefficientsRefused("the file does not hold a mapping")
    for key in REQUIRED:
        if not str(raw.get(key) or "").strip():
            raise CoefficientsRefused(f"{key}: missing (the file is not vetted)")
    vetted_on = raw["vetted_on"]
    if not isinstance(vetted_on, date) or vetted_on > today:
        raise CoefficientsRefused("vetted_on: a date not in the future is needed (YYYY-MM-DD)")
    ages = raw.get("age_range") or {}
    age_min = int(_number(ages.get("min"), "age_range.min"))
    age_max = int(_number(ages.get("max"), "age_range.max"))
    if age_min < settings()["age"]["min"] or age_max <= age_min:
        raise CoefficientsRefused(f"age_range must start at {settings()['age']['min']} or "
                                  f"later (CVD-RISK-2019 1.2) and end after it starts")
    unit = raw.get("cholesterol_unit")
    if unit not in ("mmol/L", "mg/dL"):
        raise CoefficientsRefused("cholesterol_unit must be mmol/L or mg/dL")
    reading = raw.get("family_history")
    if reading not in ("any", "premature"):
        raise CoefficientsRefused("family_history must be any or premature (as the paper "
                                  "defines it)")
    sexes = raw.get("sexes") or {}
    coefficients = Coefficients(
        str(raw["reference"]).strip(), str(raw["table"]).strip(), str(raw["vetted_by"]).strip(),
        vetted_on.isoformat(), age_min, age_max, unit, reading,
        {name: _sex(name, sexes.get(name)) for name in ("male", "female")})
    _check_examples(coefficients, raw.get("worked_examples"))
    return coefficients


def load(path: Path, today: date) -> Coefficients | None:
    """None without a file; the checked set, or CoefficientsRefused, with one."""
    if not path.exists():
        return None
    if path.stat().st_size > MAX_BYTES:
        raise CoefficientsRefused(f"{path.name} is larger than {MAX_BYTES} bytes")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CoefficientsRefused(f"{path.name} is not readable YAML: {exc}") from exc
    try:
        return parse(raw, today)
    except CoefficientsRefused:
        raise
    except (TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise CoefficientsRefused(f"{path.name}: {type(exc).__name__}: {exc}") from exc
