"""Units as labs spell them, folded to one spelling, and converted to the test's own unit."""

from __future__ import annotations

import re
import unicodedata

from reports.knowledge import TestInfo

_SPELLINGS = {
    "umol/l": "µmol/L", "μmol/l": "µmol/L", "µmol/l": "µmol/L",
    "mmol/l": "mmol/L", "nmol/l": "nmol/L", "pmol/l": "pmol/L",
    "mg/dl": "mg/dL", "g/dl": "g/dL", "g/l": "g/L", "mg/l": "mg/L", "ug/l": "µg/L",
    "μg/l": "µg/L", "µg/l": "µg/L", "ng/ml": "ng/mL", "pg/ml": "pg/mL", "ng/l": "ng/L",
    "ug/ml": "µg/mL", "μg/ml": "µg/mL", "µg/ml": "µg/mL", "ug/dl": "µg/dL", "µg/dl": "µg/dL",
    "μg/dl": "µg/dL",
    "u/l": "U/L", "iu/l": "IU/L", "u/ml": "U/mL", "iu/ml": "IU/mL", "miu/ml": "mIU/mL",
    "miu/l": "mIU/L", "uiu/ml": "µIU/mL", "μiu/ml": "µIU/mL", "µiu/ml": "µIU/mL",
    "10^9/l": "10^9/L", "10*9/l": "10^9/L", "×10^9/l": "10^9/L", "x10^9/l": "10^9/L",
    "g/l(10^9)": "10^9/L", "10e9/l": "10^9/L", "10^12/l": "10^12/L", "10*12/l": "10^12/L",
    "×10^12/l": "10^12/L", "x10^12/l": "10^12/L", "t/l": "10^12/L", "10e12/l": "10^12/L",
    "fl": "fL", "pg": "pg", "%": "%", "s": "s", "sec": "s", "秒": "s", "mm/h": "mm/h",
    "mmhg": "mmHg", "kpa": "kPa", "/hp": "/HPF", "/hpf": "/HPF", "个/hp": "/HPF",
    "个/ul": "/µL", "/ul": "/µL", "/μl": "/µL", "/µl": "/µL", "/lp": "/LPF", "/lpf": "/LPF",
    "mg/g": "mg/g", "mg/mmol": "mg/mmol", "mg/lfeu": "mg/L FEU", "mg/l feu": "mg/L FEU",
    "µg/ml feu": "µg/mL FEU", "ug/mlfeu": "µg/mL FEU", "ug/ml feu": "µg/mL FEU",
    "ng/ml feu": "ng/mL FEU", "ml/min/1.73m2": "mL/min/1.73m2",
    "ml/min/1.73m^2": "mL/min/1.73m2",
}


def normalise_unit(unit: str) -> str:
    text = unicodedata.normalize("NFKC", unit or "").strip()
    key = re.sub(r"\s+", " ", text.lower())
    return _SPELLINGS.get(key, _SPELLINGS.get(key.replace(" ", ""), text))


def to_canonical(value: float, unit: str, test: TestInfo) -> float | None:
    """`value` in the test's own unit, or None when the unit is unknown (never guessed)."""
    unit = normalise_unit(unit)
    if unit == test.unit or (not unit and not test.unit):
        return value
    factors = {normalise_unit(k): f for k, f in test.convert.items()}
    if unit in factors:
        return value * factors[unit]
    return None
