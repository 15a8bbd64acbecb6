"""The statistical second look: shipped weights load, are reproducible, and only ever add."""

from __future__ import annotations

import json
import math

from conversations.dialogue import Assistant
from conversations.emergency_model import MODEL, EmergencyModel, default_model, features
from conversations.knowledge import default_knowledge
from conversations.state import PatientContext
from scripts.train_emergency_model import calm_vignettes, examples, train

ADULT = PatientContext(age_years=60, sex="male")


def test_the_shipped_weights_are_what_the_training_script_makes():
    weights, bias = train(examples())
    shipped = json.loads(MODEL.read_text(encoding="utf-8"))
    assert math.isclose(shipped["bias"], round(bias, 4))
    assert shipped["weights"] == weights
    assert MODEL.stat().st_size < 20 * 1024 * 1024


def test_the_shipped_threshold_spares_calm_patients_nobody_trained_on():
    """The cut was chosen, with models trained without each of the newest emergency sets, to
    flag about 2 % of calm department questions (triage_dev, never trained on). A guard that the
    shipped model, trained on everything, keeps close to that cut; not an independent measure
    (the bench's independent set is)."""
    model = default_model()
    calm = calm_vignettes("triage_dev")
    flagged = [text for text in calm if model.probability(text) >= model.threshold]
    assert 0.3 < model.threshold < 0.99
    assert len(flagged) <= 0.03 * len(calm), flagged


def test_features_are_character_ngrams_of_the_normalised_text():
    grams = features("胸口ＯＫ")
    assert "胸" in grams and "胸口" in grams and "胸口o" in grams and "ok" in grams


def test_an_everyday_emergency_scores_high_and_a_calm_question_low():
    model = default_model()
    assert model.probability("我爸突然倒地 叫不醒 没有呼吸了") > 0.95
    assert model.probability("想问一下体检报告什么时候能拿") < 0.5


def test_a_possible_emergency_is_raised_only_when_the_rules_found_none():
    model = EmergencyModel(weights={"一阵": 40.0}, bias=-5.0)  # scores any 一阵 as an emergency
    assistant = Assistant(default_knowledge(), emergency_model=model)
    state, _ = assistant.start("triage", ADULT)
    turn = assistant.reply(state, "肚子一阵一阵不舒服")
    assert turn.stage == "emergency" and state.red_flag.level == "possible"
    assert state.red_flag.words == ["一阵"] and "可能" in turn.text


def test_the_second_look_never_replaces_or_clears_a_rule():
    silent = EmergencyModel(weights={}, bias=-30.0)  # never fires
    assistant = Assistant(default_knowledge(), emergency_model=silent)
    state, turn = assistant.start("triage", ADULT)
    turn = assistant.reply(state, "胸口疼，出了一身冷汗，喘不上气")
    assert turn.stage == "emergency" and state.red_flag.level == "emergency"


def test_after_a_possible_emergency_a_rule_can_still_confirm_it():
    model = EmergencyModel(weights={"头疼": 40.0}, bias=-5.0)  # fires on any 头疼
    assistant = Assistant(default_knowledge(), emergency_model=model)
    state, _ = assistant.start("triage", ADULT)
    turn = assistant.reply(state, "发烧两天 头疼得厉害")
    assert state.red_flag.level == "possible"
    turn = assistant.reply(state, "脖子也硬了 低不下头")
    assert state.red_flag.level == "emergency" and turn.stage == "emergency"
    assert state.red_flag.rule_id in {"fever_with_neck_stiffness", "meningism_composed"}


def test_a_pre_visit_interview_goes_on_after_a_possible_emergency_and_keeps_the_flag():
    """Told once that it may be urgent, a patient who keeps answering is still interviewed:
    the note is not lost, the doctor sees the possible flag, and the model does not nag again."""
    model = EmergencyModel(weights={"39": 40.0}, bias=-5.0)  # fires on any 39
    assistant = Assistant(default_knowledge(), emergency_model=model)
    state, _ = assistant.start("pre_consultation", ADULT)
    warned = assistant.reply(state, "嗓子疼 还发烧 最高烧到39度")
    assert warned.stage == "emergency" and state.red_flag.level == "possible"
    turn = assistant.reply(state, "没咳嗽 没流鼻涕 又烧到39度了")
    assert turn.stage != "emergency" and "可能" not in turn.text
    assert state.symptoms["cough"].present is False
    assert state.red_flag.level == "possible"
    turn = assistant.reply(state, "说话也说不清了 右边胳膊抬不起来")
    assert turn.stage == "emergency" and state.red_flag.level == "emergency"


def test_a_possible_emergency_ends_a_triage_chat_as_before():
    model = EmergencyModel(weights={"一阵": 40.0}, bias=-5.0)
    assistant = Assistant(default_knowledge(), emergency_model=model)
    state, _ = assistant.start("triage", ADULT)
    assistant.reply(state, "肚子一阵一阵不舒服")
    turn = assistant.reply(state, "也不怎么吐")
    assert turn.stage == "emergency" and "可能" in turn.text


def test_the_second_look_reads_why_the_patient_came_not_the_answers_to_our_questions():
    model = EmergencyModel(weights={"吐了": 40.0}, bias=-5.0)  # fires on any 吐了
    assistant = Assistant(default_knowledge(), emergency_model=model)
    state, _ = assistant.start("pre_consultation", ADULT)
    assistant.reply(state, "肚子一阵一阵疼 拉肚子")
    turn = assistant.reply(state, "恶心 吐了一次")
    assert state.red_flag is None and turn.stage != "emergency"


def test_a_possible_emergency_names_the_crisis_line_too():
    """The second look also catches self-harm the rules missed; its advice must then carry the
    crisis line, not only 120."""
    model = EmergencyModel(weights={"江": 40.0}, bias=-5.0)
    assistant = Assistant(default_knowledge(), emergency_model=model)
    state, _ = assistant.start("triage", ADULT)
    turn = assistant.reply(state, "一个人在江那边坐着")
    assert state.red_flag.level == "possible" and "12356" in turn.text and "120" in turn.text
