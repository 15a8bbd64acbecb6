"""The between-visit questionnaire as data: the questions a resident is asked follow their
programmes, answers outside the form are refused naming the question, and answers become a
visit `classify` reads by the standard's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from followup import FollowUpInputError, classify
from followup.questionnaire import check_answers, questionnaire, visit_from_answers

BOTH = {"hypertension", "type2_diabetes"}


def test_diabetes_questions_only_for_residents_in_that_programme():
    hypertension_only = {q.id for q in questionnaire().for_programmes({"hypertension"})}
    both = {q.id for q in questionnaire().for_programmes(BOTH)}
    assert "hypoglycaemia" not in hypertension_only and "hypoglycaemia" in both
    assert "随访服务记录表" in questionnaire().source


@pytest.mark.parametrize("answers", [
    {"adherence": {"nested": 1}},
    {"adherence": ["regular"]},
    {"adherence": "regular", "symptoms": "severe_headache"},
    {"adherence": "regular", "weight_kg": True},
    {"adherence": "regular", "side_effect": "很长" * 60},
])
def test_malformed_answers_are_refused_with_the_question_named(answers):
    with pytest.raises(FollowUpInputError, match=r"^answers\.\w+: "):
        check_answers(answers, questionnaire().for_programmes({"hypertension"}))


def test_a_danger_symptom_in_the_answers_is_an_urgent_referral_by_the_same_rules():
    answered = check_answers({"adherence": "regular", "symptoms": ["acetone_breath"],
                              "hypoglycaemia": "none"}, questionnaire().for_programmes(BOTH))
    visit = visit_from_answers(answered, BOTH, dt.date(2026, 12, 5), 68,
                               {"systolic": 128, "diastolic": 78, "fasting_glucose": 6.0})
    result = classify(visit)
    assert result.urgent_referral
    assert result.outcomes["hypertension"].follow_up_class == "satisfactory"
