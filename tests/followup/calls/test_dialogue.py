"""The follow-up call as text: what the caller says to each answer, and what the call finds."""

from __future__ import annotations

import datetime as dt

from followup.calls.dialogue import CallDialogue
from followup.calls.outcome import Callee, CallStatus, RedFlag

HT, DM = "hypertension", "type2_diabetes"


def callee(*programmes: str) -> Callee:
    return Callee(name="王秀兰", birth_year=1952, age=74,
                  programmes=frozenset(programmes or (HT,)), centre="东城社区卫生服务中心",
                  doctor="李医生")


def play(dialogue: CallDialogue, *answers: str):
    """Answer turn by turn; returns every turn the caller took."""
    turns = [dialogue.start()]
    for answer in answers:
        assert not dialogue.finished, f"the call ended before {answer!r}"
        turns.append(dialogue.hear(answer))
    return turns


def test_a_whole_call_fills_the_record_form():
    dialogue = CallDialogue(callee(HT, DM), today=dt.date(2026, 12, 6))
    turns = play(dialogue, "对，是我", "一九五二年", "今天量了，一百三十六八十二", "空腹六点八",
                 "天天按时吃", "没有", "没有", "都没有")
    assert dialogue.finished and turns[-1].hang_up
    outcome = dialogue.outcome()
    assert outcome.status is CallStatus.COMPLETED and outcome.identity_confirmed
    assert outcome.answers.readings == {"systolic": 136, "diastolic": 82, "fasting_glucose": 6.8}
    assert outcome.answers.adherence == "regular"
    assert outcome.answers.hypoglycaemia == "none"
    assert not outcome.answers.symptoms and not outcome.red_flags
    assert [line.speaker for line in outcome.transcript][:2] == ["caller", "resident"]


def test_no_health_question_before_the_birth_year_matches():
    dialogue = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    turns = play(dialogue, "是", "一九五三", "五四年")
    assert dialogue.outcome().status is CallStatus.IDENTITY_FAILED
    said = "".join(t.say for t in turns)
    assert "血压" not in said and "吃药" not in said
    assert turns[-1].hang_up


def test_the_greeting_names_the_person_and_never_asks_for_an_id_number():
    turn = CallDialogue(callee()).start()
    assert "王秀兰" in turn.say and "身份证" not in turn.say


def test_wrong_person_ends_politely_without_details():
    dialogue = CallDialogue(callee())
    turns = play(dialogue, "我是她儿子，她不在家")
    outcome = dialogue.outcome()
    assert outcome.status is CallStatus.WRONG_PERSON and not outcome.identity_confirmed
    assert turns[-1].hang_up and "血压" not in turns[-1].say


def test_half_a_blood_pressure_gets_one_more_question():
    dialogue = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    turns = play(dialogue, "是", "52年", "一百四", "八十六")
    assert "低压" in turns[3].say
    assert dialogue.answers.readings == {"systolic": 140, "diastolic": 86}


def test_a_crisis_reading_stops_the_questions_with_the_120_advice():
    dialogue = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    turns = play(dialogue, "是的", "1952", "高压一百八十五低压一百")
    outcome = dialogue.outcome()
    assert outcome.status is CallStatus.RED_FLAG
    assert "120" in turns[-1].say and turns[-1].hang_up
    assert outcome.red_flags[0].rule == "bp_crisis"
    assert "systolic=185 ≥ 180" in outcome.red_flags[0].basis


def test_a_red_flag_is_transferred_when_someone_can_take_it():
    dialogue = CallDialogue(callee(), transfer_available=True, today=dt.date(2026, 12, 6))
    turns = play(dialogue, "是", "1952", "一百三八十", "我这两天胸口闷得慌")
    assert turns[-1].transfer and "120" in turns[-1].say
    assert dialogue.outcome().red_flags[0].rule == "hypertension_danger_symptom"


def test_stroke_signs_in_the_residents_words_raise_a_red_flag_at_any_point():
    dialogue = CallDialogue(callee())
    turns = play(dialogue, "我老伴说话不清，嘴歪了")
    assert dialogue.outcome().status is CallStatus.RED_FLAG
    assert "120" in turns[-1].say


def test_a_denied_symptom_is_not_a_red_flag():
    dialogue = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    play(dialogue, "是", "1952", "一百三八十", "按时吃", "没有", "没有胸闷，也不恶心")
    outcome = dialogue.outcome()
    assert outcome.status is CallStatus.COMPLETED and not outcome.red_flags


def test_an_injected_check_adds_red_flags_the_script_does_not_know():
    def check(text: str):
        return RedFlag("bleeding", "大出血", (text,)) if "出血" in text else None
    dialogue = CallDialogue(callee(), red_flag_check=check)
    play(dialogue, "是", "我这会儿在出血止不住")
    assert dialogue.outcome().red_flags[0].rule == "bleeding"


def test_reschedule_is_kept_with_the_time_asked_for():
    dialogue = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    turns = play(dialogue, "是", "1952", "我在开车，明天下午再打吧")
    outcome = dialogue.outcome()
    assert outcome.status is CallStatus.RESCHEDULED
    assert (outcome.reschedule.day_offset, outcome.reschedule.period) == (1, "afternoon")
    assert "明天下午" in turns[-1].say


def test_asking_for_a_person_without_a_transfer_books_a_callback_and_goes_on():
    dialogue = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    turns = play(dialogue, "是", "1952", "我想跟医生说", "一百二十八十")
    assert "回电话" in turns[3].say and "血压" in turns[3].say
    assert dialogue.outcome().callback_requested
    assert dialogue.answers.readings == {"systolic": 120, "diastolic": 80}


def test_asking_for_a_person_is_transferred_where_configured():
    dialogue = CallDialogue(callee(), transfer_available=True)
    turns = play(dialogue, "转人工")
    assert turns[-1].transfer and dialogue.outcome().status is CallStatus.TRANSFERRED


def test_refusal_and_hang_up():
    refused = CallDialogue(callee())
    play(refused, "不需要，别打了")
    assert refused.outcome().status is CallStatus.REFUSED
    gone = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    play(gone, "是", "1952", "行了再见")
    assert gone.outcome().status is CallStatus.HUNG_UP


def test_an_unclear_answer_is_asked_once_more_then_left_unanswered():
    dialogue = CallDialogue(callee(), today=dt.date(2026, 12, 6))
    turns = play(dialogue, "是", "1952", "那个什么来着", "记不清")
    assert turns[3].say.startswith("不好意思，我没听清")
    assert "blood_pressure" in dialogue.answers.unanswered
    assert "吃药" in turns[4].say


def test_side_effects_and_symptoms_in_the_residents_words():
    dialogue = CallDialogue(callee(HT, DM), today=dt.date(2026, 12, 6))
    play(dialogue, "是", "1952", "一百三八十", "七点二", "有时候忘", "脚踝有点肿，还老干咳",
         "偶尔有", "没有")
    answers = dialogue.outcome().answers
    assert answers.adherence == "intermittent"
    assert answers.adverse_reactions == ["咳", "肿"]
    assert answers.hypoglycaemia == "occasional"


def test_silence_twice_at_the_greeting_ends_the_call():
    dialogue = CallDialogue(callee())
    play(dialogue, "", "")
    assert dialogue.outcome().status is CallStatus.NO_RESPONSE
