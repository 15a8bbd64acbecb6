"""The China-PAR calculator with a clearly synthetic coefficient file (tests/fixtures/
china_par_synthetic.yaml, where each expected value is worked out by hand): the arithmetic, the
bands, missing and implausible inputs, known ASCVD, age bounds, and files that must be refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from backend.services.portraits import china_par, china_par_file
from backend.services.portraits.china_par import RiskInputs, assess, band_of

SYNTHETIC = Path(__file__).parents[1] / "fixtures" / "china_par_synthetic.yaml"
TODAY = date(2026, 12, 5)
MAN = RiskInputs(sex="male", age=50, systolic=140, bp_treated=False, total_cholesterol=5.0,
                 hdl_cholesterol=1.0, waist_cm=90, current_smoker=True, diabetes=False,
                 north=True, urban=False, family_history="none")
WOMAN = RiskInputs(sex="female", age=60, systolic=150, bp_treated=True, total_cholesterol=6.0,
                   hdl_cholesterol=1.5, waist_cm=85, current_smoker=False, diabetes=True,
                   north=False, urban=True, family_history="late")


def _raw() -> dict:
    return yaml.safe_load(SYNTHETIC.read_text(encoding="utf-8"))


@pytest.fixture()
def synthetic():
    return china_par_file.load(SYNTHETIC, TODAY)


def test_the_hand_computed_man_is_6_3_percent_medium(synthetic):
    # Σβx = 13.237187, exp(0.237187) = 1.267679, 1 − 0.95^1.267679 = 0.06295 (see the file).
    assert china_par.ten_year_risk(MAN, synthetic) == pytest.approx(0.062954, abs=1e-6)
    result = assess(MAN, synthetic)
    assert (result.status, result.risk, result.band["id"]) == ("computed", 6.3, "medium")


def test_the_hand_computed_woman_on_treatment_is_3_1_percent_low(synthetic):
    # Σβx = 13.457309, exp(0.457309) = 1.579817, 1 − 0.98^1.579817 = 0.03141.
    assert china_par.ten_year_risk(WOMAN, synthetic) == pytest.approx(0.031413, abs=1e-6)
    result = assess(WOMAN, synthetic)
    assert (result.status, result.risk, result.band["id"]) == ("computed", 3.1, "low")


def test_treatment_and_the_interaction_terms_change_the_score(synthetic):
    # The man on treatment: ln_sbp_treated 1.2×4.941642 = 5.929970 replaces the untreated term
    # (4.941642) and its interaction (−1.933182): Σβx = 13.237187 − 3.008460 + 5.929970
    # = 16.158697; exp(3.158697) = 23.5396; 0.95^23.5396 = 0.298962; risk 0.7010.
    treated = replace(MAN, bp_treated=True)
    assert china_par.ten_year_risk(treated, synthetic) == pytest.approx(0.7010, abs=1e-4)
    # The woman smoking: +0.6 − 0.1×ln 60 (4.094345) = +0.190566 → exp(0.647875) = 1.911475,
    # 1 − 0.98^1.911475 = 0.03788.
    smoking = replace(WOMAN, current_smoker=True)
    assert china_par.ten_year_risk(smoking, synthetic) == pytest.approx(0.03788, abs=1e-5)


def test_cholesterol_in_mg_dl_is_converted_from_the_labs_mmol_l(synthetic):
    in_mg = replace(synthetic, cholesterol_unit="mg/dL")
    # ln(5.0 / 0.02586) − ln 5.0 = ln(1/0.02586) = 3.655073 for TC (×0.5) and HDL-C (×−0.5):
    # the two shifts cancel, so the man's risk is unchanged.
    assert china_par.ten_year_risk(MAN, in_mg) == pytest.approx(0.062954, abs=1e-6)


def test_the_2019_guideline_bands_on_the_risk_as_shown():
    assert [band_of(r)["id"] for r in (4.9, 5.0, 9.9, 10.0, 35.0)] == \
        ["low", "medium", "medium", "high", "high"]
    assert china_par.percent(0.04949) == 4.9 and china_par.percent(0.04950) == 5.0


def test_missing_inputs_are_named_and_no_number_is_given(synthetic):
    result = assess(replace(MAN, waist_cm=None, current_smoker=None), synthetic)
    assert result.status == "missing" and result.risk is None
    assert result.missing == ["waist_cm", "current_smoker"]


def test_a_family_history_of_unknown_age_is_missing_only_when_the_paper_means_premature(
        synthetic):
    unknown = replace(MAN, family_history="unknown_age")
    assert assess(unknown, synthetic).status == "computed"
    premature_only = replace(synthetic, family_history="premature")
    result = assess(unknown, premature_only)
    assert result.status == "missing" and result.missing == ["family_history"]


def test_implausible_inputs_are_not_used(synthetic):
    result = assess(replace(MAN, waist_cm=19, hdl_cholesterol=8.0), synthetic)
    assert result.status == "implausible" and result.risk is None
    assert any("腰围 19" in p for p in result.problems)
    assert any("高密度脂蛋白胆固醇 8" in p for p in result.problems)


def test_known_ascvd_is_never_assessed(synthetic):
    assert assess(replace(MAN, known_ascvd=True), synthetic).status == "known_ascvd"
    assert assess(replace(MAN, known_ascvd=True), None).status == "known_ascvd"


@pytest.mark.parametrize("age, status", [(19, "age_out_of_range"), (20, "age_out_of_range"),
                                         (34, "age_out_of_range"), (35, "computed"),
                                         (74, "computed"), (75, "age_out_of_range")])
def test_age_bounds_of_the_guideline_and_the_file(synthetic, age, status):
    assert assess(replace(MAN, age=age), synthetic).status == status


def test_without_a_file_adults_from_20_get_the_list_of_inputs_not_a_number():
    assert assess(replace(MAN, age=19), None).status == "age_out_of_range"
    result = assess(replace(MAN, age=20, waist_cm=None), None)
    assert result.status == "no_coefficients" and result.risk is None
    assert "waist_cm" in result.missing and "systolic" in result.present


def test_no_file_means_no_coefficients(tmp_path):
    assert china_par_file.load(tmp_path / "china_par_coefficients.yaml", TODAY) is None


@pytest.mark.parametrize("change, reason", [
    (lambda raw: raw.pop("vetted_by"), "vetted_by"),
    (lambda raw: raw.update(vetted_by=" "), "vetted_by"),
    (lambda raw: raw.pop("reference"), "reference"),
    (lambda raw: raw.pop("table"), "table"),
    (lambda raw: raw.pop("vetted_on"), "vetted_on"),
    (lambda raw: raw.update(vetted_on=date(2027, 1, 1)), "vetted_on"),
    (lambda raw: raw.update(age_range={"min": 18, "max": 74}), "age_range"),
    (lambda raw: raw.update(family_history="sometimes"), "family_history"),
    (lambda raw: raw["sexes"]["male"].update(baseline_survival_10y=1.2), "baseline_survival"),
    (lambda raw: raw["sexes"]["female"]["terms"].append({"of": ["bmi"], "beta": 1,
                                                         "row": "x"}), "terms"),
    (lambda raw: raw["sexes"]["male"]["terms"][0].pop("row"), "row"),
    (lambda raw: raw["worked_examples"][0].update(risk_percent=4.7), "6.3% where 4.7%"),
    (lambda raw: raw.update(worked_examples=raw["worked_examples"][:1]), "one for men and"),
])
def test_an_unvetted_or_broken_file_is_refused(tmp_path, change, reason):
    raw = _raw()
    change(raw)
    path = tmp_path / "china_par_coefficients.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(china_par_file.CoefficientsRefused, match=reason):
        china_par_file.load(path, TODAY)


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "china_par_coefficients.yaml"
    path.write_text("reference: [unclosed", encoding="utf-8")
    with pytest.raises(china_par_file.CoefficientsRefused, match="not readable"):
        china_par_file.load(path, TODAY)


def test_the_shipped_example_has_no_numbers_and_is_refused_if_copied(tmp_path):
    example = china_par_file.DEFAULT_FILE.with_name("china_par_coefficients.example.yaml")
    copied = tmp_path / "china_par_coefficients.yaml"
    copied.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(china_par_file.CoefficientsRefused, match="reference: missing"):
        china_par_file.load(copied, TODAY)


def test_the_portrait_line_for_a_child_an_adult_without_a_file_and_an_elder_beyond_the_file(
        synthetic):
    from backend.services.portraits import cvd_rules, rules
    from backend.services.portraits.cvd_facts import CvdFacts

    child = rules.Held("p1", 10, date(2016, 1, 1), TODAY)
    assert cvd_rules.build(child, CvdFacts(), "male", None) == []
    adult = rules.Held("p2", 45, date(1981, 1, 1), TODAY)
    [line] = cvd_rules.build(adult, CvdFacts(), "male", None)
    assert line["text"] == ("10年心血管病风险：尚未计算（风险方程的系数待医务部确认）。已有：年龄；"
                            "还缺：收缩压（随访测量）、是否服降压药、总胆固醇、高密度脂蛋白胆固醇、腰围、"
                            "现在吸烟、糖尿病、南北方（按机构所在省份）、城乡、心血管病家族史。")
    assert line["evidence"] == [{"kind": "profile", "id": "p2", "date": "1981-01-01",
                                 "label": "出生日期（45岁）"}]
    elder = rules.Held("p3", 80, date(1946, 1, 1), TODAY)
    [line] = cvd_rules.build(elder, CvdFacts(), "male", synthetic)
    assert line["text"] == "10年心血管病风险：不评估，年龄80岁，评估范围为35～74岁。"


def test_without_a_file_an_implausible_input_is_named_for_checking():
    from backend.services.portraits import cvd_rules, rules
    from backend.services.portraits.cvd_facts import CvdFacts

    facts = CvdFacts(inputs={"waist_cm": 250.0})
    [line] = cvd_rules.build(rules.Held("p4", 50, date(1976, 1, 1), TODAY), facts, "female", None)
    assert line["text"].endswith("；请核对：腰围 250 超出合理范围（40～200）。")
