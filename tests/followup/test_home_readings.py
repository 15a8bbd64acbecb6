"""A resident's reading at home: urgent by the standard's 危急情况, high above target, else
normal, with the words the resident is shown."""

from __future__ import annotations

import pytest

from followup import FollowUpInputError
from followup.readings import assess_home_reading, default_home_rules

HT, DM = ("hypertension",), ("type2_diabetes",)


@pytest.mark.parametrize(("readings", "symptoms", "programmes", "age", "after_meal", "level",
                          "rules"), [
    ({"systolic": 180, "diastolic": 95}, (), HT, 60, False, "urgent", {"bp_crisis"}),
    ({"systolic": 170, "diastolic": 110}, (), HT, 60, False, "urgent", {"bp_crisis"}),
    ({"systolic": 150, "diastolic": 88}, ("severe_headache",), HT, 60, False, "urgent",
     {"hypertension_danger_symptom"}),
    ({"systolic": 179, "diastolic": 109}, (), HT, 60, False, "high", set()),
    ({"systolic": 145, "diastolic": 85}, (), HT, 60, False, "high", set()),
    ({"systolic": 145, "diastolic": 85}, (), HT, 70, False, "normal", set()),  # ≥65: 150/90
    ({"systolic": 128, "diastolic": 78}, (), HT, 50, False, "normal", set()),
    ({"fasting_glucose": 16.7}, (), DM, 60, False, "urgent", {"glucose_extreme"}),
    ({"fasting_glucose": 3.9}, (), DM, 60, False, "urgent", {"glucose_extreme"}),
    ({"random_glucose": 3.5}, (), DM, 60, True, "urgent", {"glucose_extreme"}),
    ({"fasting_glucose": 7.0}, (), DM, 60, False, "high", set()),
    ({"fasting_glucose": 6.9}, (), DM, 60, False, "normal", set()),
    ({"random_glucose": 10.0}, (), DM, 60, True, "high", set()),
    ({"random_glucose": 9.9}, (), DM, 60, True, "normal", set()),
    # a diabetic's pulse over 100 is one of the diabetes standard's 危急情况
    ({"systolic": 130, "diastolic": 80, "heart_rate": 110}, (), DM, 60, False, "urgent",
     {"persistent_tachycardia"}),
    ({"systolic": 130, "diastolic": 80, "heart_rate": 110}, (), HT, 60, False, "normal", set()),
    ({"systolic": 185, "diastolic": 100}, (), ("hypertension", "type2_diabetes"), 60, False,
     "urgent", {"bp_crisis"}),
])
def test_the_level_of_a_home_reading(readings, symptoms, programmes, age, after_meal, level,
                                     rules):
    result = assess_home_reading(readings, frozenset(symptoms), programmes, age,
                                 after_meal=after_meal)
    assert result.level == level
    assert {d.rule for d in result.emergencies} == rules
    assert result.advice == default_home_rules().advice[level]


def test_urgent_advice_sends_to_120_at_once():
    result = assess_home_reading({"systolic": 190, "diastolic": 100}, frozenset(), HT, 60)
    assert "120" in result.advice.text and result.advice.title == "请马上就医"


def test_a_personal_target_counts_too():
    result = assess_home_reading({"systolic": 135, "diastolic": 80}, frozenset(), HT, 60,
                                 {"systolic_below": 130})
    assert result.level == "high"
    assert result.above_target == ("systolic=135 ≥ 130 (personal target)",)


@pytest.mark.parametrize(("readings", "field", "words"), [
    ({"systolic": 320, "diastolic": 80}, "readings.systolic", "不在可能的范围内"),
    ({"systolic": 120, "diastolic": 125}, "readings.diastolic", "舒张压应低于收缩压"),
    ({"fasting_glucose": float("nan")}, "readings.fasting_glucose", "必须是数字"),
])
def test_impossible_values_are_refused_in_plain_words(readings, field, words):
    with pytest.raises(FollowUpInputError) as caught:
        assess_home_reading(readings, frozenset(), HT + DM, 60)
    assert str(caught.value).startswith(field) and words in str(caught.value)
