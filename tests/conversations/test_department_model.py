"""The department model: shipped weights are reproducible, it counts as much as the rules' own
reading, and a message with nothing medical in it stays "不确定"."""

from __future__ import annotations

import json

import pytest

from conversations.department_model import MODEL, DepartmentModel, default_model, from_data
from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.state import PatientContext
from scripts.train_department_model import examples, train

ADULT = PatientContext(age_years=52, sex="female")


def _triage(model: DepartmentModel | None, *messages: str, patient: PatientContext = ADULT):
    assistant = Assistant(default_knowledge(), department_model=model)
    state, _ = assistant.start("triage", patient)
    for message in messages:
        assistant.reply(state, message)
    return assistant.triage(state)


def _leaning(word: str, code: str) -> DepartmentModel:
    """A model that reads `word` as `code` and anything else as nothing medical."""
    return DepartmentModel(classes=(code, "NONE", "GENM"), weights={word: {0: 12.0}},
                           bias=(-4.0, 2.0, -4.0))


def test_the_shipped_weights_are_what_the_training_script_makes():
    shipped = json.loads(MODEL.read_text(encoding="utf-8"))
    made = train(examples())
    assert shipped["classes"] == made["classes"] and shipped["bias"] == made["bias"]
    assert shipped["weights"] == made["weights"]
    assert MODEL.stat().st_size < 20 * 1024 * 1024


def test_a_model_file_without_one_bias_per_class_is_refused():
    with pytest.raises(ValueError, match="one bias per class"):
        from_data({"classes": ["ENT", "NONE"], "bias": [0.0], "weights": {}})


def test_words_the_rules_cannot_place_go_where_the_model_reads_them():
    result = _triage(_leaning("怪怪", "DERM"), "那个地方老是怪怪的")
    assert not result.uncertain
    assert result.recommendations[0].code == "DERM"
    assert result.recommendations[0].reason == "因为：根据您的描述"


def test_the_rules_and_the_model_count_equally():
    rules_only = _triage(None, "胸口疼了两天 一活动就疼").recommendations[0]
    result = _triage(_leaning("胸口", "DERM"), "胸口疼了两天 一活动就疼")
    codes = [r.code for r in result.recommendations]
    assert rules_only.code in codes and "DERM" in codes
    by_code = {r.code: r for r in result.recommendations}
    assert by_code["DERM"].reason == "因为：根据您的描述"
    assert by_code[rules_only.code].reason == rules_only.reason


def test_nothing_medical_stays_uncertain_with_the_shipped_model():
    for words in ("医生你好", "停车场在哪里", "谢谢你们"):
        result = _triage(default_model(), words)
        assert result.uncertain, words
        assert result.recommendations[0].code == "GENM"


def test_age_and_sex_still_apply_to_the_models_answer():
    model = _leaning("怪怪", "GYNE")
    man = PatientContext(age_years=40, sex="male")
    assert "GYNE" not in [r.code for r in _triage(model, "下面怪怪的", patient=man).recommendations]


def test_a_triage_chat_stops_asking_once_the_rules_are_sure_whatever_the_model_adds():
    assistant = Assistant(default_knowledge(), department_model=default_model())
    state, _ = assistant.start("triage", ADULT)
    assistant.reply(state, "头疼三天了，有点恶心")
    turn = assistant.reply(state, "额头")
    assert turn.stage == "triage_result"
    result = assistant.triage(state)
    assert not result.uncertain and result.recommendations[0].code == "NEUR"


@pytest.mark.parametrize(("words", "patient"), [
    ("想打HPV疫苗 九价的", PatientContext(age_years=25, sex="female")),
    ("去非洲前要打黄热病疫苗", ADULT),
])
def test_asking_for_a_vaccination_goes_to_preventive_care(words, patient):
    result = _triage(default_model(), words, patient=patient)
    assert result.recommendations[0].code == "PREV"


def test_a_fever_after_a_vaccination_is_not_a_request_for_one():
    child = PatientContext(age_years=1, sex="male")
    result = _triage(default_model(), "孩子打完疫苗发烧了", patient=child)
    assert result.recommendations[0].code == "PEDI"
