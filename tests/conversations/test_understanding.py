"""Every failure reported in issue 9, in our own words: patients who say it their own way.

Emergencies in plain words must stop the interview; history, worries, questions and someone
else's illness must not. Triage must follow named diseases, findings, lumps, injuries, foreign
bodies and body parts. The interview must file each fact where it belongs and the note must read
like a 病历, never losing a note over an odd slot.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.note import format_duration
from conversations.state import DialogueState, Fact, PatientContext

ASSISTANT = Assistant(default_knowledge())
ADULT = PatientContext(age_years=58, sex="male")
WOMAN = PatientContext(age_years=45, sex="female")
CHILD = PatientContext(age_years=3, sex="female")


def converse(*messages, mode="pre_consultation", patient=ADULT):
    # a copy: what a conversation learns (怀孕) must not leak into the next test's patient
    state, turn = ASSISTANT.start(mode, dataclasses.replace(patient))
    for message in messages:
        turn = ASSISTANT.reply(state, message)
    return state, turn


def note_of(state: DialogueState) -> str:
    return ASSISTANT.note(state).narrative


# -- emergencies said in everyday words ------------------------------------------------------

@pytest.mark.parametrize(("patient", "words", "rule_prefix"), [
    (ADULT, "我爸刚才吃着饭，左手突然连杯子都端不住了", "stroke"),
    (ADULT, "我妈今天早上起来舌头发硬，说话含含糊糊的", "stroke"),
    (ADULT, "早上起来右边胳膊抬不起来，使不上劲", "stroke"),
    (ADULT, "我把安眠药攒了一瓶，打算今晚就全吃了", "suicide"),
    (CHILD, "孩子刚才吞了半瓶退烧药片，大概二十片", "poisoning"),
    (ADULT, "我老伴有糖尿病一直打胰岛素，现在满头大汗，说胡话，不认人", "hypoglycaemia"),
    (CHILD, "孩子吃果冻噎住了，脸发紫，哭不出声", ""),
    (ADULT, "右眼突然一下子什么都看不见了", "stroke"),
    (ADULT, "肚子疼了一天，现在整个肚子硬邦邦的，一碰就疼得受不了", ""),
    (ADULT, "后背突然像被刀割一样疼，往下窜到肚子", "aortic"),
    (ADULT, "吐了好几口血，头晕站都站不稳", ""),
])
def test_plain_word_emergencies_stop_the_interview(patient, words, rule_prefix):
    state, turn = converse(words, mode="triage", patient=patient)
    assert turn.stage == "emergency", words
    assert state.red_flag.rule_id.startswith(rule_prefix)
    assert "120" in turn.text
    assert any(w in words for w in state.red_flag.words)  # quotes the patient's own words


@pytest.mark.parametrize("words", [
    "我小时候发烧抽过风，这次是咳嗽三天了",
    "降压药还要不要继续吃？",
    "我邻居前天脑梗住院了，我想查查自己的血压",
    "热性惊厥具体是什么意思？",
    "怕孩子发烧会抽筋，现在38度，精神挺好",
    "右手没劲两个多月了，是慢慢越来越重的，不是一下子",
    "嘴不歪，说话也清楚，手脚都有劲，就是头晕",
])
def test_history_questions_and_other_people_do_not_raise_an_emergency(words):
    state, turn = converse(words, mode="triage")
    assert state.red_flag is None, (words, state.red_flag)
    assert turn.stage != "emergency"


def test_passive_ideation_asks_the_screening_question_and_a_no_goes_on():
    state, turn = converse("最近失眠，觉得活着真没意思")
    assert turn.stage == "screening" and state.red_flag is None
    assert "12356" in turn.text and "准备" in turn.text
    turn = ASSISTANT.reply(state, "没有，没想过")
    assert state.red_flag is None and turn.stage != "emergency"


def test_a_plan_given_to_the_screening_question_is_an_emergency():
    state, turn = converse("最近失眠，觉得活着真没意思")
    turn = ASSISTANT.reply(state, "有，药都准备好了")
    assert turn.stage == "emergency"
    assert state.red_flag.rule_id.startswith("suicide") and state.red_flag.level == "emergency"
    assert "12356" in turn.text and "120" in turn.text


# -- triage from everything the patient gives --------------------------------------------------

@pytest.mark.parametrize(("words", "patient", "wanted"), [
    ("高血压好几年了，想调调药", ADULT, {"CARD"}),
    ("乙肝小三阳，想复查一下", ADULT, {"INFE", "GAST"}),
    ("体检B超说甲状腺结节", WOMAN, {"ENDO", "GSUR"}),
    ("CT查出来肺结节八毫米", ADULT, {"THOR", "RESP"}),
    ("脖子上摸到一个疙瘩，不疼", ADULT, {"GSUR", "ENT", "ENDO"}),
    ("打篮球崴了脚，脚踝肿得老高", ADULT, {"ORTH"}),
    ("吃鱼让鱼刺卡在嗓子里了", ADULT, {"ENT"}),
    ("膝盖上下楼有点疼", ADULT, {"ORTH"}),
    ("牙龈老出血", ADULT, {"STOM"}),
    ("耳朵里嗡嗡响", ADULT, {"ENT"}),
    ("乳房摸到一个硬块", WOMAN, {"GSUR"}),
    ("痛风又犯了，大脚趾肿", ADULT, {"RHEU", "ORTH"}),
])
def test_named_diseases_findings_and_body_parts_drive_triage(words, patient, wanted):
    state, _ = converse(words, mode="triage", patient=patient)
    result = ASSISTANT.triage(state)
    assert not result.uncertain, words
    assert result.recommendations[0].code in wanted, (words, result.recommendations)


# -- an interview that survives real answers ---------------------------------------------------

def test_an_answer_to_something_else_is_filed_there_and_the_question_asked_again():
    state, turn = converse("咳嗽五天了")
    asked = turn.question
    turn = ASSISTANT.reply(state, "好的")
    assert turn.question == asked and "换个说法" in turn.text
    turn = ASSISTANT.reply(state, "挂号费多少钱？")
    assert state.facts[asked].value == "未答"
    assert "好的" not in str(state.facts[asked].value)


def test_a_greeting_is_never_saved_as_the_occupation():
    state, _ = converse("头疼两天了")
    state.current = "personal.occupation"
    ASSISTANT.reply(state, "你好")
    assert state.facts.get("personal.occupation") is None or \
        state.facts["personal.occupation"].value in (None, "未答")


def test_every_denial_in_one_sentence_is_kept_and_the_denied_part_is_no_site():
    state, _ = converse("咳嗽三天了", "不发烧，也不喘，胸口也不疼")
    denied = {c for c, s in state.symptoms.items() if not s.present}
    assert {"fever", "dyspnea", "chest_pain"} <= denied
    assert "present_illness.site" not in state.facts
    assert "否认发热、呼吸困难、胸痛" in note_of(state)


def test_sputum_in_the_first_message_is_recorded_and_not_asked_again():
    state, _ = converse("咳嗽一个礼拜了，咳黄痰")
    assert state.symptoms["sputum"].present
    assert "present_illness.extra.sputum" not in state.asked


@pytest.mark.parametrize(("words", "concept"), [
    ("没有痰", "sputum"), ("没痰", "sputum"), ("不咳", "cough"), ("没烧", "fever"),
    ("也没喘", "dyspnea"),
])
def test_short_and_scoped_denials(words, concept):
    state, _ = converse("嗓子疼两天了", words)
    assert state.symptoms[concept].present is False


def test_family_history_keeps_who_and_past_history_keeps_every_item():
    state, _ = converse("头晕一周了", "以前放过支架，还有肾衰竭", "我妈有高血压，我爸糖尿病")
    assert {"pci"} <= set(state.facts["past.operations"].value)
    assert "chronic_kidney_disease" in state.facts["past.chronic_diseases"].value
    text = note_of(state)
    assert "母亲高血压" in text and "父亲糖尿病" in text


def test_no_severity_is_invented_from_vague_words():
    state, _ = converse("有点发烧，两天了")
    assert "present_illness.severity" not in state.facts
    assert "3/10" not in note_of(state)


def test_an_allergy_reaction_is_the_allergy_not_a_rash_today():
    state, _ = converse("头疼三天了", "青霉素过敏，打了针起一身疹子")
    assert "rash" not in state.symptoms
    assert "penicillin" in state.facts["allergy.drugs"].value
    assert "青霉素过敏（皮疹）" in note_of(state)
    codes = [r.code for r in ASSISTANT.triage(state).recommendations]
    assert "DERM" not in codes


def test_questions_and_worries_are_not_statements():
    state, _ = converse("孩子拉肚子两天了", "怎么预防脱水呢？", "惊厥具体什么意思",
                        patient=CHILD)
    assert "dehydration" not in state.symptoms
    assert "convulsion" not in state.symptoms and state.red_flag is None


def test_what_was_and_is_gone_is_kept_as_history_of_this_illness():
    state, _ = converse("前几天发烧咳嗽，现在烧退了，也不咳了，就是嗓子疼")
    assert state.symptoms["fever"].present and state.symptoms["fever"].resolved
    assert state.symptoms["cough"].resolved
    assert "现已缓解" in note_of(state)


@pytest.mark.parametrize("words", ["宝宝大便稀稀的，有奶瓣，一天五六次", "孩子这两天不肯吃奶"])
def test_stool_and_feeding_problems_are_understood_as_complaints(words):
    baby = PatientContext(age_years=0, sex="male", age_months=5)
    state, turn = converse(words, patient=baby)
    assert state.facts.get("chief_complaint.symptom") is not None, words
    assert "没太听明白" not in turn.text


def test_the_narrative_has_labels_not_keys_and_never_a_question():
    state, _ = converse("咳嗽一个礼拜了", "嗯", "晚上咳得厉害", "抽烟，一天半包", "开出租车的")
    text = note_of(state)
    assert "present_illness" not in text and "max_temperature" not in text
    assert "？" not in text and "跳过" not in text and "未答" not in text


# -- a note is never lost over an odd slot ------------------------------------------------------

@pytest.mark.parametrize("value", ["跳过", "无", "不详", "心跳过快", None, -1, float("nan"), True])
def test_format_duration_never_raises(value):
    assert isinstance(format_duration(value), str)


SLOT_KEYS = ["chief_complaint.duration", "chief_complaint.symptom", "present_illness.severity",
             "past.chronic_diseases", "allergy.drugs", "allergy.reactions", "family.history",
             "present_illness.extra.sputum", "personal.occupation"]
ANY_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats()
                         | st.text(max_size=12),
                         lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(st.text(max_size=4), inner, max_size=2),
                         max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(SLOT_KEYS), ANY_VALUE, max_size=6))
def test_the_note_builder_survives_any_slot_contents(slots):
    state = DialogueState(mode="pre_consultation", patient=ADULT)
    for key, value in slots.items():
        state.facts[key] = Fact(key=key, value=value, words="", turn=1)
    note = ASSISTANT.note(state)
    assert isinstance(note.narrative, str)


# -- a language model may add a possible emergency, never remove one ------------------------------

def _model_reads(concept: str):
    """A model helper that reads one symptom the rules did not, as the real helper records it."""
    from conversations.state import SymptomFact

    def helper(message: str, state: DialogueState) -> None:
        state.symptoms.setdefault(concept, SymptomFact(concept, True, message, state.turn,
                                                       source="model"))
    return helper


def test_a_models_reading_raises_only_a_possible_emergency():
    assistant = Assistant(default_knowledge(), model_helper=_model_reads("haematemesis"))
    state, _ = assistant.start("triage", ADULT)
    turn = assistant.reply(state, "早上起来嘴里一股铁锈味，吐出来的东西颜色不对")
    assert turn.stage == "emergency" and state.red_flag.level == "possible"
    assert state.red_flag.name.startswith("可能") and "可能" in turn.text


def test_a_models_denial_never_clears_an_emergency():
    assistant = Assistant(default_knowledge(), model_helper=lambda message, state: [
        s.__setattr__("present", False) for s in state.symptoms.values() if s.source == "model"])
    state, turn = assistant.start("triage", ADULT)
    turn = assistant.reply(state, "我爸刚才突然说话含糊，右手拿不住筷子")
    assert turn.stage == "emergency" and state.red_flag.level == "emergency"


@pytest.mark.parametrize(("words", "written"), [
    ("大概四五天", "4～5天"), ("两三天", "2～3天"), ("一个多月", "1个月余"), ("十来天", "10余天"),
    ("大半年", "半年余"), ("好几年", "数年"), ("三个多星期", "3周余"),
])
def test_vague_lengths_are_written_as_a_doctor_writes_them(words, written):
    state, _ = converse(f"头疼{words}了")
    assert ASSISTANT.note(state).sections["chief_complaint"] == f"头痛{written}。"


def test_a_phrase_that_fits_none_of_the_choices_is_not_their_answer():
    state, _ = converse("头疼三天了")
    state.current = "present_illness.onset"
    ASSISTANT.reply(state, "下午疼得厉害些")
    assert "present_illness.onset" not in state.facts or \
        state.facts["present_illness.onset"].value == "未答"
    assert "下午疼得厉害些" not in ASSISTANT.note(state).sections.get("present_illness", "")[:12]


@pytest.mark.parametrize(("asked", "said"), [
    ("present_illness.aggravating", "治好了"), ("present_illness.aggravating", "戒了"),
    ("present_illness.medications", "天天讲课"), ("present_illness.site", "好一阵"),
    ("present_illness.site", "活动一下好点"),
])
def test_an_open_question_takes_only_an_answer_of_its_kind(asked, said):
    state, _ = converse("咳嗽一个礼拜了")
    state.current = asked
    ASSISTANT.reply(state, said)
    fact = state.facts.get(asked)
    assert fact is None or fact.value in (None, "未答"), (asked, fact)


def test_red_flags_keep_listening_after_the_triage_result():
    state, turn = converse("咳嗽三天了", "有点痰", "晚上咳得多", "不发烧", mode="triage")
    assert turn.stage == "triage_result"
    turn = ASSISTANT.reply(state, "刚才突然喘得说话都接不上气了，嘴唇发紫")
    assert turn.stage == "emergency" and state.red_flag is not None


def test_a_calm_message_after_the_triage_result_gets_the_closing_again():
    state, _ = converse("咳嗽三天了", "有点痰", "晚上咳得多", "不发烧", mode="triage")
    closing = ASSISTANT.reply(state, "好的谢谢")
    assert closing.stage == "triage_result" and state.red_flag is None
