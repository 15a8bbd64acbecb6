"""The health enquiry and the after-care questions: sourced data, and what the answers mean."""

from __future__ import annotations

import pytest

from vaccination.questionnaires import (
    AnswerError,
    after_care,
    check_after_care,
    check_screening,
    health_enquiry,
)

ENQUIRY_ITEMS = {"fever_now", "ill_now", "chronic_flare", "vaccine_allergy", "other_allergy",
                 "previous_reaction", "immune", "blood_products", "convulsions",
                 "recent_vaccine"}
ALL_WELL = {"fever": "none", "swelling": "none", "rash": "none", "crying": "none",
            "convulsion": "none", "breathing": "none"}


def _no_to_all(**yes: str | None) -> dict:
    answers = {q: {"yes": False} for q in ENQUIRY_ITEMS}
    answers.update({q: {"yes": True, "detail": detail} for q, detail in yes.items()})
    return answers


def test_the_enquiry_covers_the_work_standard_items_and_names_its_source():
    questions = health_enquiry()
    assert {q.id for q in questions.questions} == ENQUIRY_ITEMS
    assert "预防接种工作规范" in questions.source and "疫苗管理法" in questions.source


def test_a_yes_the_doctor_must_weigh_is_set_apart_in_the_sets_order():
    checked = check_screening(_no_to_all(convulsions="去年高热惊厥一次", fever_now=None))
    assert checked.for_doctor == ("fever_now", "convulsions")
    assert checked.answers["convulsions"] == {"yes": True, "detail": "去年高热惊厥一次"}


def test_an_unanswered_or_unknown_question_is_named():
    answers = _no_to_all()
    del answers["immune"]
    with pytest.raises(AnswerError) as missing:
        check_screening(answers)
    assert missing.value.question == "immune"
    with pytest.raises(AnswerError) as unknown:
        check_screening({**_no_to_all(), "weather": {"yes": True}})
    assert unknown.value.question == "weather"
    with pytest.raises(AnswerError):
        check_screening({**_no_to_all(), "fever_now": {"yes": "有"}})


@pytest.mark.parametrize(("answers", "level", "serious"), [
    (ALL_WELL, "ok", ()),
    ({**ALL_WELL, "fever": "low", "crying": "fussy"}, "watch", ()),
    ({**ALL_WELL, "fever": "high"}, "aefi", ("fever",)),  # 腋温≥38.6℃ is reportable
    ({**ALL_WELL, "swelling": "large", "rash": "rash"}, "aefi", ("swelling", "rash")),
    ({**ALL_WELL, "convulsion": "seen", "fever": "high"}, "emergency", ("fever", "convulsion")),
    ({**ALL_WELL, "breathing": "seen"}, "emergency", ("breathing",)),
])
def test_after_care_answers_decide_the_advice(answers, level, serious):
    checked = check_after_care(answers)
    assert (checked.level, checked.serious) == (level, serious)
    assert checked.advice == after_care().advice[level]


def test_emergency_advice_says_call_120_and_the_set_names_its_source():
    assert "120" in after_care().advice["emergency"]
    assert "异常反应监测方案" in after_care().source


def test_an_after_care_answer_outside_the_choices_is_refused():
    with pytest.raises(AnswerError) as bad:
        check_after_care({**ALL_WELL, "fever": "39"})
    assert bad.value.question == "fever"


def test_a_broken_after_care_file_is_refused_with_its_place(tmp_path):
    from vaccination.questionnaires import DATA_DIR, QuestionnaireError, load_after_care

    text = (DATA_DIR / "after_care.yaml").read_text(encoding="utf-8")
    unsourced = tmp_path / "unsourced.yaml"
    unsourced.write_text(text.replace("source:", "origin:"), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="source"):
        load_after_care(str(unsourced))
    unknown_level = tmp_path / "level.yaml"
    unknown_level.write_text(text.replace("level: aefi}", "level: severe}", 1), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="fever"):
        load_after_care(str(unknown_level))
