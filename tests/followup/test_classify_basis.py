"""What the doctor sees besides the class: the basis of each decision, every symptom the
standard lists, and refusals of a visit that cannot be classified."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from followup import FollowUpInputError, ProgrammeFindings, classify, default_rules
from followup.classify import find_emergencies

from .support import DM, HT, hypertension_visit, visit

DAY = dt.date(2026, 5, 6)
OK = ProgrammeFindings()

# The standard's own lists (随访评估 1.), written out here independently of the data files.
HYPERTENSION_DANGER_SIGNS = ["意识改变", "剧烈头痛", "剧烈头晕", "恶心", "呕吐", "视力模糊", "眼痛",
                             "心悸", "胸闷", "喘憋不能平卧"]
DIABETES_DANGER_SIGNS = ["意识或行为改变", "呼气有烂苹果样丙酮味", "心悸", "出汗", "食欲减退",
                         "恶心", "呕吐", "多饮", "多尿", "腹痛", "有深大呼吸", "皮肤潮红",
                         "视力突然骤降"]


@pytest.mark.parametrize(("programme", "words"), [
    *[(HT, w) for w in HYPERTENSION_DANGER_SIGNS], *[(DM, w) for w in DIABETES_DANGER_SIGNS]])
def test_every_listed_danger_sign_alone_means_urgent_referral(programme, words):
    rules = default_rules()
    codes = [c for c, name in rules.programme(programme).symptoms.items() if name == words]
    assert len(codes) == 1, f"{words} is not a symptom of {programme}"
    readings = {"systolic": 126, "diastolic": 78} if programme == HT else {"fasting_glucose": 6.0}
    findings = {"ht": OK} if programme == HT else {"dm": OK}
    result = classify(visit(DAY, symptoms=(codes[0],), **findings, **readings))
    outcome = result.outcomes[programme]
    assert result.urgent_referral and outcome.referral == "urgent"
    assert [d.basis for d in outcome.emergencies] == [(f"symptom:{codes[0]}",)]


def test_a_calm_visit_finds_no_emergency():
    outcome = hypertension_visit(DAY, 132, 84)
    assert outcome.emergencies == () and outcome.referral is None


def test_the_emergency_names_the_reading_and_the_limit():
    outcome = hypertension_visit(DAY, 186, 112)
    assert [d.rule for d in outcome.emergencies] == ["bp_crisis"]
    assert outcome.emergencies[0].basis == ("systolic=186 ≥ 180", "diastolic=112 ≥ 110")
    assert "紧急转诊" in outcome.decisions[0].says


def test_the_consecutive_referral_names_both_visits():
    first = hypertension_visit(dt.date(2026, 4, 22), 152, 94)
    second = hypertension_visit(DAY, 150, 92, previous=first)
    decision = next(d for d in second.decisions if d.rule == "consecutive_unsatisfactory_referral")
    assert decision.basis == ("systolic=150", "diastolic=92", "previous 2026-04-22: unsatisfactory")
    assert "连续两次" in decision.says


def test_medication_change_after_a_first_unsatisfactory_visit_is_one_fortnight():
    outcome = hypertension_visit(DAY, 154, 90, medication_changed=True)
    assert [d.rule for d in outcome.decisions] == ["first_unsatisfactory", "medication_change"]
    assert outcome.next_followup_on == dt.date(2026, 5, 20)


def test_emergencies_are_found_from_partial_readings_between_visits():
    """A resident's home reading has no fasting glucose; the emergency check still works."""
    diabetes = default_rules().programme(DM)
    found = find_emergencies(diabetes, {"random_glucose": 2.8}, frozenset(), frozenset())
    assert [d.rule for d in found] == ["glucose_extreme"]
    assert find_emergencies(diabetes, {}, frozenset(), frozenset()) == ()


def test_end_of_month_dates_stay_in_the_right_month():
    outcome = hypertension_visit(dt.date(2026, 11, 30), 128, 80)
    assert outcome.next_followup_on == dt.date(2027, 2, 28)


@pytest.mark.parametrize(("build", "field", "words"), [
    (lambda: visit(DAY, ht=OK, systolic=130), "readings", "血压"),
    (lambda: visit(DAY, dm=OK, random_glucose=6.0), "readings", "空腹血糖"),
    (lambda: visit(DAY, ht=OK, systolic=90, diastolic=120), "readings.diastolic",
     "舒张压应低于收缩压"),
    (lambda: visit(DAY, ht=OK, systolic=400, diastolic=90), "readings.systolic",
     "不在可能的范围内"),
    (lambda: visit(DAY, dm=OK, fasting_glucose=0), "readings.fasting_glucose", "不在可能的范围内"),
    (lambda: visit(DAY, dm=OK, fasting_glucose=math.nan), "readings.fasting_glucose", "数字"),
    (lambda: visit(DAY, ht=OK, systolic=130, diastolic=80, waist=90), "readings.waist",
     "unknown reading"),
    (lambda: visit(DAY, ht=OK, systolic=130, diastolic=80, symptoms=("headache",)), "symptoms",
     "headache"),
    (lambda: visit(DAY, ht=OK, systolic=130, diastolic=80, flags=("smoker",)), "flags", "smoker"),
    (lambda: visit(DAY, ht=ProgrammeFindings(complications=frozenset({"diabetic_foot"})),
                   systolic=130, diastolic=80), "programmes.hypertension.complications",
     "diabetic_foot"),
    (lambda: visit(DAY, age=-1, ht=OK, systolic=130, diastolic=80), "age", "whole years"),
    (lambda: visit(DAY, systolic=130, diastolic=80), "programmes", "at least one"),
])
def test_a_visit_that_cannot_be_classified_is_refused_naming_the_field(build, field, words):
    with pytest.raises(FollowUpInputError) as error:
        classify(build())
    assert str(error.value).startswith(f"{field}:") and words in str(error.value)


def test_an_unknown_programme_is_refused():
    from followup import FollowUpVisit
    bad = FollowUpVisit(visited_on=DAY, age=50, programmes={"asthma": OK})
    with pytest.raises(FollowUpInputError, match="programmes: unknown programme 'asthma'"):
        classify(bad)


def test_a_previous_follow_up_on_or_after_this_one_is_refused():
    later = hypertension_visit(DAY, 150, 95)
    with pytest.raises(FollowUpInputError, match=r"previous\.hypertension"):
        hypertension_visit(DAY, 150, 95, previous=later)
