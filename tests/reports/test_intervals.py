"""National reference intervals by age and sex: one test per row of a table written from the
standards (tests/reports/interval_cases.yaml), plus what happens outside their age range."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reports.flags import assess
from reports.knowledge import DAYS_PER_MONTH, DAYS_PER_YEAR, default_knowledge
from reports.model import Flag, PatientContext, ResultIn

CASES = yaml.safe_load((Path(__file__).parent / "interval_cases.yaml").read_text("utf-8"))


def _days(age: str) -> int:
    number, unit = int(age[:-1]), age[-1]
    return {"d": number, "m": int(number * DAYS_PER_MONTH) + 1,
            "y": int(number * DAYS_PER_YEAR) + 1}[unit]


def _value_at(bound: float, step: float) -> str:
    return f"{bound + step:g}"


def test_the_table_has_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize(("code", "sex", "age", "low", "high", "standard"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_national_interval(code, sex, age, low, high, standard):
    knowledge = default_knowledge()
    test = knowledge.tests[code]
    patient = PatientContext(sex, _days(age))

    def flag(value: float) -> tuple[Flag | None, str]:
        result = ResultIn(1, code, test.names[0], "NM", f"{value:g}", test.unit)
        assessment = assess(result, test, patient, knowledge)
        assert standard.replace(" ", "") in assessment.interval_source.replace(" ", "")
        return assessment.flag, assessment.interval_source

    step = 0.001 if (high or low or 1) < 1 else 0.01
    if high is not None:
        assert flag(high)[0] == Flag.NORMAL
        assert flag(high + step)[0] in {Flag.HIGH, Flag.CRITICAL_HIGH}
    if low is not None:
        assert flag(low)[0] == Flag.NORMAL
        if low > 0:
            assert flag(low - step)[0] in {Flag.LOW, Flag.CRITICAL_LOW}


def test_over_eighty_uses_the_oldest_adult_row_and_says_so():
    knowledge = default_knowledge()
    result = ResultIn(1, "CREA", "肌酐", "NM", "115", "µmol/L")
    assessment = assess(result, knowledge.tests["CREA"], PatientContext("male", 86 * 366),
                        knowledge)
    assert assessment.flag == Flag.HIGH and assessment.interval_text == "57-111"
    assert "80岁以上" in assessment.note


def test_no_national_interval_for_an_age_the_standard_does_not_cover():
    knowledge = default_knowledge()
    result = ResultIn(1, "ALT", "ALT", "NM", "80", "U/L")
    assessment = assess(result, knowledge.tests["ALT"], PatientContext("male", 10 * 366),
                        knowledge)
    assert assessment.flag is None and assessment.flag_source == "none"


def test_units_are_converted_before_comparing():
    knowledge = default_knowledge()
    patient = PatientContext("female", 50 * 366)
    high = assess(ResultIn(1, "GLU", "葡萄糖", "NM", "126", "mg/dl"), knowledge.tests["GLU"],
                  patient, knowledge)
    normal = assess(ResultIn(1, "GLU", "葡萄糖", "NM", "90", "mg/dL"), knowledge.tests["GLU"],
                    patient, knowledge)
    assert high.flag == Flag.HIGH and normal.flag == Flag.NORMAL
    assert high.interval_text == "70.3-109.9"
    assert round(high.canonical_value, 2) == 6.99


def test_an_unknown_unit_is_never_guessed():
    knowledge = default_knowledge()
    assessment = assess(ResultIn(1, "GLU", "葡萄糖", "NM", "126", "g/furlong"),
                        knowledge.tests["GLU"], PatientContext("female", 50 * 366), knowledge)
    assert assessment.flag is None and assessment.canonical_value is None
