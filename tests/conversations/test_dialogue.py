"""The dialogue engine's behaviour, turn by turn (pure Python, no Flask)."""

from __future__ import annotations

import json

import pytest

from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.state import DialogueState, PatientContext, SymptomFact

ASSISTANT = Assistant(default_knowledge())
ADULT = PatientContext(age_years=45, sex="female")


def converse(*messages, mode="pre_consultation", patient=ADULT, departments=None):
    state, turn = ASSISTANT.start(mode, patient)
    for message in messages:
        turn = ASSISTANT.reply(state, message, departments)
    return state, turn


def test_one_utterance_fills_several_slots():
    state, turn = converse("头疼三天了，有点恶心，以前有高血压，青霉素过敏")
    facts = state.facts
    assert facts["chief_complaint.symptom"].value == "headache"
    assert facts["chief_complaint.duration"].value == 3
    assert state.symptoms["nausea"].present
    assert facts["past.chronic_diseases"].value == ["hypertension"]
    assert facts["allergy.drugs"].value == ["penicillin"]
    assert turn.question and turn.question.startswith("present_illness.")
    assert turn.quick_replies and len(turn.text) < 60


def test_each_question_is_asked_once_and_known_answers_are_not_asked_again():
    state, _ = converse("头疼三天了，有点恶心")
    assert "chief_complaint.duration" not in state.asked


def test_correction_replaces_the_duration():
    state, _ = converse("头疼三天了", "不对，是五天")
    assert state.facts["chief_complaint.duration"].value == 5


def test_going_back_reopens_the_previous_question():
    state, first = converse("头疼三天了")
    option = first.quick_replies[0]
    ASSISTANT.reply(state, option)
    assert state.facts[first.question].value == option
    turn = ASSISTANT.reply(state, "返回上一题")
    assert turn.question == first.question
    assert first.question not in state.facts
    assert turn.text.startswith("好的，我们回到上一题")


def test_skip_and_dont_know_are_recorded_honestly():
    state, turn = converse("头疼三天了")
    first = turn.question
    turn = ASSISTANT.reply(state, "跳过")
    assert state.facts[first].value == "跳过" and turn.question != first
    second = turn.question
    ASSISTANT.reply(state, "不知道")
    assert state.facts[second].value == "不详" and state.facts[second].uncertain


def test_state_survives_a_json_round_trip_mid_conversation():
    state, _ = converse("咳嗽一周了，有黄痰")
    restored = DialogueState.from_dict(json.loads(json.dumps(state.to_dict(), ensure_ascii=False)))
    assert restored == state
    assert ASSISTANT.reply(restored, "晚上咳得厉害").question == ASSISTANT.reply(
        state, "晚上咳得厉害").question


def test_red_flag_stops_the_interview_with_the_triggering_words():
    state, turn = converse("胸口疼得厉害，出了一身冷汗")
    assert turn.stage == "emergency" and turn.red_flag is not None
    assert "120" in turn.text
    assert any("汗" in word for word in turn.red_flag.words)
    after = ASSISTANT.reply(state, "好的")
    assert after.stage == "emergency"


@pytest.mark.parametrize("message", ["胸口疼，没有出汗，也不喘", "胸口有点疼，不出汗"])
def test_negated_danger_sign_is_not_a_red_flag(message):
    _, turn = converse(message)
    assert turn.red_flag is None


def test_a_models_suggestion_raises_only_a_possible_red_flag():
    def model_says_sweating(_message, state):
        state.symptoms["sweating"] = SymptomFact("sweating", True, "出汗", state.turn,
                                                 source="model")

    assistant = Assistant(default_knowledge(), model_helper=model_says_sweating)
    state, _ = assistant.start("triage", ADULT)
    turn = assistant.reply(state, "胸口疼")
    assert turn.red_flag.level == "possible" and turn.red_flag.name.startswith("可能")
    assert state.symptoms["sweating"].source == "model"


def test_suicidal_words_raise_a_flag_with_the_hotline():
    _, turn = converse("最近睡不着，活着没意思，不想活了")
    assert turn.red_flag is not None
    assert "12356" in turn.text


def test_triage_for_a_child_goes_to_paediatrics():
    child = PatientContext(age_years=5, sex="male")
    state, _ = converse("孩子咳嗽三天了", "有痰", "晚上咳得多", "没有发烧", mode="triage",
                           patient=child)
    assert ASSISTANT.triage(state).recommendations[0].code == "PEDI"


def test_men_are_never_sent_to_gynaecology():
    man = PatientContext(age_years=40, sex="male")
    state, _ = converse("下面出血两天了", mode="triage", patient=man)
    assert "GYNE" not in [r.code for r in ASSISTANT.triage(state).recommendations]


def test_pregnancy_moves_gynaecology_to_obstetrics():
    pregnant = PatientContext(age_years=29, sex="female", pregnant=True)
    state, _ = converse("怀孕三个月，下面有点出血", mode="triage", patient=pregnant)
    codes = [r.code for r in ASSISTANT.triage(state).recommendations]
    assert "OBST" in codes and "GYNE" not in codes


def test_unclear_complaint_ends_in_an_honest_uncertain_recommendation():
    _, turn = converse("我也说不好", "就是不舒服", "反正难受", mode="triage")
    assert turn.stage == "triage_result"
    assert turn.triage.uncertain
    assert turn.triage.recommendations[0].code == "GENM"
    assert "不确定" in turn.triage.recommendations[0].reason


def test_triage_only_offers_the_hospitals_own_departments():
    community = {"GENM": "全科医学科", "PEDI": "儿科", "STOM": "口腔科"}
    state, _ = converse("头疼三天了", "突然发作", "两边太阳穴", mode="triage",
                           departments=community)
    assert {r.code for r in ASSISTANT.triage(state, community).recommendations} <= set(community)


def test_known_facts_are_confirmed_not_asked():
    state, _ = ASSISTANT.start("pre_consultation", ADULT,
                               {"past.chronic_diseases": (["hypertension"], "有高血压")})
    turn = ASSISTANT.reply(state, "头疼三天了")
    texts = []
    for _ in range(30):
        texts.append(turn.text)
        if "上次您说过" in turn.text:
            break
        turn = ASSISTANT.reply(state, "没有")
    assert "上次您说过：高血压" in texts[-1]
    ASSISTANT.reply(state, "是的，没变")
    assert state.facts["past.chronic_diseases"].value == ["hypertension"]
    assert state.facts["past.chronic_diseases"].source == "known"


def test_review_shows_the_narrative_and_confirmation_ends_the_interview():
    state, turn = converse("头疼三天了，以前有高血压")
    for _ in range(60):
        if turn.stage == "review":
            break
        turn = ASSISTANT.reply(state, "没有")
    assert turn.stage == "review"
    assert turn.note.narrative.startswith("主诉：头痛3天。")
    assert "高血压病史" in turn.note.narrative
    done = ASSISTANT.reply(state, "确认无误")
    assert done.stage == "done" and state.finished
