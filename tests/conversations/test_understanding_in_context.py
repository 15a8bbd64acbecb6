"""Patients in their own words, continued: feelings said on their own, readings, relatives,
worries, lengths and complaints the lexicon has no word for (issue 9, second round)."""

from __future__ import annotations

import pytest

from conversations import redflags
from conversations.state import PatientContext
from tests.conversations.test_understanding import ADULT, ASSISTANT, WOMAN, converse, note_of

# -- a feeling said on its own belongs to the site said before it ------------------------------

def test_a_bare_denial_is_of_the_site_the_patient_named_earlier():
    state, _ = converse("我这个右边膝盖疼", "疼了有半年了", "不肿")
    assert state.symptoms["joint_swelling"].present is False


def test_feelings_after_a_site_in_one_message_are_of_that_site():
    state, _ = converse("小腿老抽筋 腿不肿 也不红")
    assert state.symptoms["oedema"].present is False
    assert state.symptoms["rash"].present is False
    state, _ = converse("肚子咕噜咕噜响 有点隐隐作痛")
    assert state.symptoms["abdominal_pain"].present is True


def test_a_reading_said_after_still_in_another_clause_is_now():
    words = "打篮球后哮喘发作 喷了三次还是喘 指脉氧只有88"
    state, turn = converse(words, mode="triage")
    assert turn.stage == "emergency"
    vitals = next(r for r in ASSISTANT.knowledge.red_flags if r.id == "critical_vital_signs")
    assert redflags.evaluate(vitals, state, redflags.said([words])) is not None


def test_someone_in_the_village_and_a_denied_thought_are_no_emergency():
    state, _ = converse("我们村有人喝农药没救过来 我最近心里一直堵 晚上睡不着 我自己没有想不开",
                        mode="triage")
    assert state.red_flag is None or state.red_flag.level != "emergency"


def test_a_relatives_operation_said_after_their_illness_is_theirs():
    state, _ = converse("胸口闷一个多月了", "我爸有冠心病 放过支架 怕我也是心脏出问题")
    assert "pci" not in (state.facts.get("past.operations").value
                         if state.facts.get("past.operations") else [])
    assert "父亲冠心病" in note_of(state)
    state, _ = converse("阴道不规则出血三个月", "生过一个孩子 剖腹产")
    assert "caesarean_section" in state.facts["past.operations"].value


def test_a_negative_result_denies_and_a_check_up_is_no_symptom():
    state, _ = converse("怀孕34周 脚肿得鞋都穿不进去", "上周产检血压118/75 尿蛋白阴性",
                        patient=WOMAN)
    assert state.symptoms["foamy_urine"].present is False
    assert "产前检查" not in note_of(state)


@pytest.mark.parametrize(("words", "concept", "present"), [
    ("体重没掉", "weight_loss", False), ("大便没见血 也不黑", "melena", False),
    ("皮肤不黄 眼睛不黄", "jaundice", False), ("晚上能躺平睡 不憋", "orthopnoea", False),
    ("吞咽没事", "dysphagia", False), ("关节不疼", "joint_pain", False),
    ("闻东西没以前灵了", "smell_taste_loss", True), ("听力好像也差点", "hearing_loss", True),
    ("胃也不好 常吐", "vomiting", True), ("打嗝 放屁多", "belching", True),
    ("这礼拜量血压 高压170 低压105", "elevated_blood_pressure", True),
    ("产检血压118/75", "elevated_blood_pressure", False),
])
def test_functions_said_fine_or_worse_and_readings_are_findings(words, concept, present):
    state, _ = converse("头晕一个礼拜了", words)
    assert state.symptoms[concept].present is present


def test_a_worry_asked_about_is_no_past_illness():
    state, _ = converse("左边乳房摸到个疙瘩", "我好害怕 是不是癌", "淋巴瘤会不会")
    assert not state.facts.get("past.chronic_diseases")
    state, _ = converse("胸闷一个月", "我有高血压")
    assert state.facts["past.chronic_diseases"].value == ["hypertension"]


@pytest.mark.parametrize(("words", "patient", "first"), [
    ("孩子八岁了晚上还尿床", PatientContext(age_years=8, sex="male"), "PEDI"),
    ("吃饭让鸡骨头卡嗓子了 能说话", ADULT, "ENT"),
    ("外阴一边长了个包 走路磨着疼", WOMAN, "GYNE"),
    ("右边蛋蛋上有个硬疙瘩 黄豆那么大", ADULT, "UROL"),
])
def test_a_sites_own_problem_decides_the_department(words, patient, first):
    state, _ = converse(words, mode="triage", patient=patient)
    assert ASSISTANT.triage(state).recommendations[0].code == first


def test_a_disease_of_the_past_said_in_passing_is_past_history():
    state, _ = converse("嗓子疼得要命 还发烧", "昨晚开始的", "扁桃体以前老发炎")
    assert "有慢性扁桃体炎病史" in note_of(state)


def test_a_length_said_of_another_symptom_does_not_replace_the_complaints():
    state, _ = converse("我这个 咳了一个多月了", "就是干咳 一说话就咳",
                        "之前阳过 烧了两天 后来就一直咳")
    assert 30 <= state.facts["chief_complaint.duration"].value <= 45


def test_a_complaint_not_in_our_words_still_gets_a_pre_visit_note():
    state, turn = converse("洗手停不下来", "总觉得手脏 一天洗几十遍",
                           "出门老担心门没锁 回去看好几次", "一年多了", patient=WOMAN)
    assert turn.stage == "history"
    note = note_of(state)
    assert note.startswith("主诉：洗手停不下来1年余")
