"""National reference intervals by age and sex: one test per row of a table written from the
standards (tests/reports/interval_cases.yaml), plus what happens outside their age range."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reports.flags import assess
from reports.knowledge import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    KnowledgeError,
    _bands,
    default_knowledge,
)
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


def test_a_newborn_gets_no_childrens_interval_the_lab_must_give_one():
    knowledge = default_knowledge()
    result = ResultIn(1, "HGB", "血红蛋白", "NM", "200", "g/L")
    newborn = assess(result, knowledge.tests["HGB"], PatientContext("male", 10), knowledge)
    assert newborn.flag is None and newborn.flag_source == "none"
    month_old = assess(result, knowledge.tests["HGB"], PatientContext("male", 30), knowledge)
    assert month_old.flag == Flag.HIGH and "WS/T 779" in month_old.interval_source


def test_a_child_is_never_read_against_the_adult_table():
    knowledge = default_knowledge()
    # 5.5 ×10^12/L is high for a man (4.3-5.8 is WS/T 405) but normal at 4 years (4.0-5.5)
    result = ResultIn(1, "RBC", "红细胞计数", "NM", "5.5", "10^12/L")
    child = assess(result, knowledge.tests["RBC"], PatientContext("female", 4 * 366), knowledge)
    assert child.flag == Flag.NORMAL and "WS/T 779" in child.interval_source
    # an ALP of 300 U/L is usual while a child grows: no adult interval is applied
    alp = assess(ResultIn(1, "ALP", "碱性磷酸酶", "NM", "300", "U/L"), knowledge.tests["ALP"],
                 PatientContext("male", 12 * 366), knowledge)
    assert alp.flag is None


def test_every_row_typed_from_memory_waits_for_the_laboratory():
    """Our tables were written from memory of the standards: each row says so until the
    hospital's laboratory has checked it, and `python -m reports.review` lists them."""
    knowledge = default_knowledge()
    pending = knowledge.pending_review()
    tables = {table for table, _band in pending}
    assert tables == {"reference_intervals", "critical_values"}
    assert len(pending) == sum(len(rows) for rows in knowledge.intervals.values()) + \
        sum(len(rows) for rows in knowledge.critical.values())
    hospital = knowledge.with_critical_values(
        [{"test": "K", "age": ["18y", "130y"], "low": 3.0, "source": "本院危急值表（2026版）"}])
    assert all(band.lab_reviewed for band in hospital.critical["K"])  # the hospital's own
    done = subprocess.run([sys.executable, "-m", "reports.review"], capture_output=True,
                          text=True, check=False, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 1 and f"{len(pending)} rows await" in done.stdout


def test_a_row_without_its_review_status_is_refused():
    with pytest.raises(KnowledgeError, match="lab_review"):
        _bands([{"test": "K", "age": ["20y", "80y"], "low": 3.5, "high": 5.3, "source": "S"}],
               {"S": "S"})
    [band] = _bands([{"test": "K", "age": ["20y", "80y"], "low": 3.5, "high": 5.3,
                      "source": "S", "lab_review": {"by": "王检验（检验科）", "on": "2026-12-01"}}],
                    {"S": "S"})["K"]
    assert band.lab_reviewed
