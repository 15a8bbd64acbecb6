"""过敏史 in the patient's own words (issue 9): pollen, mites, pets, latex, stings and the like
have a kind of their own; a drug or food said with what it did, in answer to the allergy question,
is an allergy whose reaction is no symptom of today's illness and raises no alarm; lists,
exceptions and denials of one kind are kept apart."""

from __future__ import annotations

import dataclasses

import pytest

from conversations import allergy
from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.state import DialogueState, PatientContext
from tests.conversations.test_understanding import converse, note_of

ASSISTANT = Assistant(default_knowledge())
LEXICON = ASSISTANT.knowledge.lexicon
PATIENT = PatientContext(age_years=52, sex="male")


def at_question(key: str, complaint: str = "右边膝盖疼了一个多月") -> DialogueState:
    """A calm interview played up to the question `key`, every earlier one answered plainly."""
    state, _ = ASSISTANT.start("pre_consultation", dataclasses.replace(PATIENT))
    ASSISTANT.reply(state, complaint)
    for _ in range(40):
        if state.current == key:
            return state
        ASSISTANT.reply(state, "退休了" if state.current == "personal.occupation" else "没有")
    raise AssertionError(f"never asked {key}; stopped at {state.current}")


def answer(words: str, key: str = "allergy.drugs") -> DialogueState:
    state = at_question(key)
    ASSISTANT.reply(state, words)
    return state


def listed(state: DialogueState, key: str) -> list[str]:
    fact = state.facts.get(key)
    return list(fact.value) if fact and isinstance(fact.value, list) else []


def reaction_of(state: DialogueState, concept: str) -> str:
    fact = state.facts.get("allergy.reactions")
    return fact.value.get(concept, "") if fact else ""


def allergy_line(state: DialogueState) -> str:
    return next(line for line in note_of(state).split("\n") if line.startswith("过敏史"))


# -- the data -------------------------------------------------------------------------------------

def test_other_allergens_are_a_kind_with_a_class_and_ids_of_their_own():
    others = LEXICON.concepts["other_allergens"]
    assert {"pollen", "dust_mite", "cat_dander", "mould", "latex", "insect_venom", "nickel",
            "adhesive_tape", "cold", "sunlight", "hair_dye"} <= set(others)
    assert all(c.drug_class for c in others.values())
    clash = set(others) & (set(LEXICON.concepts["drugs"]) | set(LEXICON.concepts["foods"]))
    assert not clash  # allergy.reactions is keyed by concept id alone


# -- environmental and other allergens, in answer to the allergy question -------------------------

@pytest.mark.parametrize(("words", "concept", "reaction"), [
    ("春天一到花粉满天飞 我就过敏 一直打喷嚏", "pollen", "打喷嚏"),
    ("尘螨过敏，做过敏原检测查出来的", "dust_mite", ""),
    ("家里猫的毛一沾上 身上就起红疹", "cat_dander", "皮疹"),
    ("对狗毛过敏", "dog_dander", ""),
    ("霉菌过敏 梅雨季节老咳嗽", "mould", "咳嗽"),
    ("戴乳胶手套手上就起疹子", "latex", "皮疹"),
    ("医用胶布贴过的地方会痒", "adhesive_tape", "瘙痒"),
    ("被马蜂蜇过一回 全身起风团", "insect_venom", "荨麻疹"),
    ("冷空气过敏 一吹脸上就起风团", "cold", "荨麻疹"),
    ("日光过敏 晒完胳膊上起红点", "sunlight", "皮疹"),
    ("镍过敏 戴不了耳环", "nickel", ""),
    ("染发剂过敏 染完头皮红肿", "hair_dye", "局部肿胀"),
    ("酒精棉一擦就起红疙瘩", "alcohol_skin", "皮疹"),
    ("柳絮过敏", "catkins", ""),
])
def test_an_environmental_allergen_is_recorded_with_its_reaction(words, concept, reaction):
    state = answer(words)
    assert concept in listed(state, "allergy.others")
    assert reaction_of(state, concept) == reaction
    assert state.red_flag is None


def test_the_note_writes_an_environmental_allergy_like_a_drug_allergy():
    state = answer("花粉过敏，一到春天就打喷嚏")
    assert allergy_line(state) == "过敏史：花粉过敏（打喷嚏）。"
    assert not state.symptoms.get("sneezing")  # the spring's sneezing is not today's illness


def test_a_drug_denied_and_pollen_named_keep_both():
    state = answer("药物没有过敏的 花粉过敏 一到春天打喷嚏")
    assert listed(state, "allergy.drugs") == [] and "allergy.drugs" in state.facts
    assert listed(state, "allergy.others") == ["pollen"]
    assert allergy_line(state) == "过敏史：否认药物过敏史；花粉过敏（打喷嚏）。"


# -- a drug or food with what it did, without the word 过敏 -----------------------------------

@pytest.mark.parametrize(("words", "key", "concept", "reaction", "not_now"), [
    ("头孢吃下去就拉肚子", "allergy.drugs", "cephalosporin", "腹泻", "diarrhoea"),
    ("打过青霉素 身上起了一片疹子", "allergy.drugs", "penicillin", "皮疹", "rash"),
    ("破伤风针打完胳膊肿了好大一块", "allergy.drugs", "tetanus_antitoxin", "局部肿胀", None),
    ("海鲜吃了就浑身痒", "allergy.foods", "seafood", "瘙痒", "itching"),
    ("吃芒果嘴唇会肿", "allergy.foods", "mango", "口唇肿胀", "lip_swelling"),
    ("阿司匹林吃了会喘", "allergy.drugs", "aspirin", "气喘", None),
])
def test_a_reaction_without_the_word_allergy_is_an_allergy_not_a_symptom(
        words, key, concept, reaction, not_now):
    state = answer(words)
    assert concept in listed(state, key)
    assert reaction in reaction_of(state, concept)
    if not_now:
        assert not_now not in state.symptoms
    assert state.red_flag is None


@pytest.mark.parametrize("words", [
    "吃了虾以后喉咙发紧 上不来气",
    "打完破伤风针晕过去了",
    "被蜜蜂蛰过 喘不上气 差点休克",
])
def test_a_severe_reaction_told_as_allergy_history_stops_nothing(words):
    state = answer(words)
    assert state.red_flag is None and state.stage != "emergency"
    assert any(listed(state, k) for k in allergy.SLOTS.values())


def test_a_reaction_said_to_be_happening_now_is_still_an_emergency():
    state = answer("吃了虾 现在嗓子发紧喘不上气")
    assert state.stage == "emergency"
    assert state.symptoms["dyspnea"].present


@pytest.mark.parametrize(("words", "rule"), [
    ("刚吃了头孢 嗓子发紧 喘不上气", "airway"),
    ("吃了降压药 突然说话不清楚", "stroke"),
])
def test_danger_said_with_a_drug_now_is_not_taken_for_an_old_reaction(words, rule):
    state = answer(words)
    assert state.stage == "emergency" and rule in state.red_flag.rule_id


def test_an_answer_about_something_else_is_no_allergy_and_still_raises_danger():
    state = answer("没有过敏 就是这两天吃了东西就吐血")
    assert state.stage == "emergency"
    assert listed(state, "allergy.drugs") == []


def test_a_medicine_taken_now_said_in_the_allergy_answer_is_not_an_allergy():
    state = answer("在吃二甲双胍 没发现过敏")
    assert "metformin" not in listed(state, "allergy.drugs")
    assert listed(state, "allergy.drugs") == []


# -- outside the allergy answer ---------------------------------------------------------------

def test_a_drug_then_a_symptom_in_the_present_illness_stays_the_illness():
    state, _ = converse("吃了头孢以后拉肚子三天")
    assert state.symptoms["diarrhoea"].present
    assert "cephalosporin" in listed(state, "present_illness.medications")
    assert not listed(state, "allergy.drugs")


def test_a_clearly_dated_past_reaction_is_an_allergy_anywhere():
    state, _ = converse("咳嗽一个礼拜了", "小时候打青霉素起过疹子")
    assert listed(state, "allergy.drugs") == ["penicillin"]
    assert reaction_of(state, "penicillin") == "皮疹"
    assert not state.symptoms.get("rash") or state.symptoms["rash"].history


def test_a_drug_taken_before_without_a_reaction_is_no_allergy():
    state, _ = converse("这次是头晕 以前吃过头孢")
    assert not listed(state, "allergy.drugs")


def test_pollen_allergy_with_its_symptoms_in_the_first_message_is_the_complaint():
    state, _ = converse("花粉过敏 打喷嚏流鼻涕")
    assert state.symptoms["sneezing"].present  # why the patient came, not an old reaction
    assert listed(state, "allergy.others") == ["pollen"]


def test_an_allergen_word_in_another_answer_is_no_allergy():
    state = at_question("personal.occupation")
    ASSISTANT.reply(state, "在橡胶厂上班")
    assert "allergy.others" not in state.facts
    assert state.facts["personal.occupation"].value


# -- lists, exceptions and denials ------------------------------------------------------------

def test_a_list_before_all_allergic_names_each():
    state = answer("花粉和尘螨都过敏")
    assert listed(state, "allergy.others") == ["pollen", "dust_mite"]
    assert allergy_line(state) == "过敏史：花粉过敏；尘螨过敏。"


def test_the_exception_of_a_denial_is_the_allergy():
    state = answer("除了青霉素以外没别的过敏")
    assert listed(state, "allergy.drugs") == ["penicillin"]
    assert allergy_line(state) == "过敏史：青霉素过敏。"


def test_drugs_denied_and_pollen_named():
    state = answer("药不过敏，就是花粉过敏")
    assert listed(state, "allergy.drugs") == [] and "allergy.drugs" in state.facts
    assert listed(state, "allergy.others") == ["pollen"]


def test_foods_denied_in_answer_to_the_food_question():
    state = answer("食物都不过敏", key="allergy.foods")
    assert state.facts["allergy.foods"].value in ([], "无", "没有")
    assert "否认食物过敏史" in allergy_line(state)


def test_one_drug_denied_and_another_named():
    state = answer("青霉素不过敏 对头孢过敏")
    assert listed(state, "allergy.drugs") == ["cephalosporin"]


def test_a_bare_list_of_drugs_answers_the_drug_question():
    state = answer("头孢、磺胺")
    assert listed(state, "allergy.drugs") == ["cephalosporin", "sulfonamide"]


def test_allergens_listed_together_share_the_reaction_that_follows():
    state = answer("青霉素跟头孢都过敏 起一身疹子")
    assert reaction_of(state, "penicillin") == reaction_of(state, "cephalosporin") == "皮疹"
    state = answer("花粉过敏 头孢也过敏 吃了会喘")
    assert reaction_of(state, "cephalosporin") == "气喘"
    assert reaction_of(state, "pollen") == ""


def test_a_substance_the_lexicon_lacks_is_written_once_as_allergy():
    state = answer("对一种进口染料过敏")
    assert "过敏过敏" not in allergy_line(state)


# -- said in passing, later in the interview ----------------------------------------------------

def in_passing(words: str) -> DialogueState:
    state, _ = converse("右边膝盖疼了一个多月", words)
    return state


@pytest.mark.parametrize(("words", "key", "concept"), [
    ("一摸猫脸上就起疙瘩", "allergy.others", "cat_dander"),
    ("吃核桃嘴里会起泡", "allergy.foods", "tree_nuts"),
    ("左氧吃完头晕想吐 后来再也不吃了", "allergy.drugs", "levofloxacin"),
])
def test_a_reaction_told_as_a_habit_is_an_allergy_when_said_in_passing(words, key, concept):
    state = in_passing(words)
    assert concept in listed(state, key)
    assert not any(s.present and not s.history for c, s in state.symptoms.items()
                   if c in ("rash", "dizziness", "nausea"))


@pytest.mark.parametrize("words", [
    "喝牛奶肚子胀 医生说那是乳糖不耐受",
    "没有过敏 吃海鲜会拉肚子",
    "试过布洛芬 胃疼就不敢吃了",
    "止痛药不敢多吃 怕伤胃出血",
])
def test_an_intolerance_the_patient_does_not_count_or_a_worry_is_no_allergy(words):
    state = in_passing(words)
    assert not any(listed(state, key) for key in allergy.SLOTS.values())


def test_an_allergen_added_with_also_is_one_more_allergy():
    state = in_passing("对尘螨过敏 测过过敏原 还有霉菌")
    assert listed(state, "allergy.others") == ["dust_mite", "mould"]
