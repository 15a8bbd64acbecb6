"""Patients in their own words, third round (issue 9): emergencies told by what the person can
no longer do or what a bystander sees, their look-alikes, and the note in the 病历's words."""

from __future__ import annotations

import pytest

from conversations.knowledge import default_knowledge
from conversations.nlu_numbers import durations
from conversations.state import PatientContext
from tests.conversations.test_understanding import converse

CHILD = PatientContext(age_years=4, sex="female")


@pytest.mark.parametrize(("said", "rule"), [
    ("搬箱子闪了腰 现在会阴那块发木 小便也尿不出来", "cauda_equina"),
    ("爷爷从游泳池里被捞上来 脸发青 叫他没反应", "drowning_or_near_drowning"),
    ("工地上干了一下午 人倒下了 说胡话 浑身发烫", "heat_stroke_composed"),
    ("腿打了石膏 晚上脚趾头越来越紫 疼得睡不着", "limb_ischaemia_composed"),
    ("我妈刚才突然不会用勺子了 汤都往嘴外边流", "stroke_function_lost"),
    ("肚子不放屁也不拉 胀得老大 吐了两回", "bowel_obstruction"),
    ("肚子硬得像木板一样 碰都不能碰", "rigid_or_ischaemic_abdomen"),
    ("在吃华法林 前天查INR是7.2 今天刷牙血止不住", "bleeding_disorder_bleed"),
    ("今天发现女儿在网上搜死得不疼的方法 我好害怕", "suicide_said_as_farewell"),
])
def test_an_emergency_told_by_what_is_seen_stops_the_chat(said, rule):
    state, turn = converse(said, mode="triage")
    assert turn.stage == "emergency"
    assert state.red_flag.level == "emergency"


def test_a_child_drained_by_diarrhoea_is_sent_to_emergency():
    _state, turn = converse("孩子拉了一天水样便 尿不湿从早上到现在都是干的", mode="triage",
                           patient=CHILD)
    assert turn.stage == "emergency"


@pytest.mark.parametrize("said", [
    "拔完智齿打了麻药 半边嘴唇麻麻的 说话有点大舌头",
    "早上起来右边脸动不了 抬头纹也没了 手脚都好好的",
    "邻居大爷中风了 半边不能动 想问问怎么预防",
    "吃华法林 INR2.6 没有出血 问问要不要调药",
    "插插头的时候被电了一下 麻了一下 现在好好的",
    "腰疼往腿上放射 屁股到小腿外侧都麻",
    "怀孕17周 还没感觉到胎动 正常吗",
])
def test_a_look_alike_does_not_stop_the_chat(said):
    state, turn = converse(said, mode="triage")
    assert turn.stage != "emergency" or state.red_flag.level == "possible"


def test_a_remedys_length_does_not_replace_the_complaints():
    state, _ = converse("踢球把脚崴了", "一周前", "回家冰敷了几天")
    assert state.facts["chief_complaint.duration"].value == 7.0


def test_a_cycle_length_is_not_a_duration():
    assert durations("月经还算准 30天左右") == []
    assert durations("周期28天") == []
    assert durations("月经十五天了还没干净")[0].value == 15.0


@pytest.mark.parametrize(("said", "written"), [
    ("我送快递的", "快递员"),
    ("孩子上二年级", "学生"),
    ("退休了 以前是开车的", "退休（原司机）"),
    ("卖海鲜的", "个体经营（卖海鲜）"),
    ("煤矿工人", "煤矿工人"),
])
def test_the_occupation_is_written_in_the_records_words(said, written):
    assert default_knowledge().occupation(said) == written


def test_a_relatives_cancer_keeps_its_organ():
    state, _ = converse("胃疼两个月了", "我爸是食管癌走的")
    assert "父亲食管癌" in state.facts["family.history"].value


def test_the_specific_symptom_leads_over_stomach_discomfort():
    state, _ = converse("胃不舒服 老是烧心")
    assert state.facts["chief_complaint.symptom"].value != "abdominal_discomfort"


def test_the_day_it_began_replaces_a_time_of_day_that_only_said_when_it_is_worse():
    state, _ = converse("孩子眼睛红", "早上起来眼屎多", "大前天开始的")
    assert state.facts["chief_complaint.duration"].value == 3.0
    state, _ = converse("今天早上开始头疼", "以前也疼过几年")
    assert state.facts["chief_complaint.duration"].value < 1


@pytest.mark.parametrize(("said", "denied"), [
    ("看东西清楚 走路也稳", {"blurred_vision", "unsteady_gait"}),
    ("喘气没问题 大便颜色正常", {"dyspnea", "melena"}),
    ("没摔过 没吐过血", {"trauma", "haematemesis"}),
])
def test_a_function_said_to_be_fine_is_a_denial(said, denied):
    state, _ = converse("头晕好几天了", said)
    assert all(state.symptoms[c].present is False for c in denied)


@pytest.mark.parametrize(("said", "symptom"), [
    ("上楼就喘", "dyspnea"),
    ("这阵子脸也白", "pallor"),
    ("眼睛好像有点往外突", "exophthalmos"),
    ("大便三四天才一次", "constipation"),
    ("月经快半年没来了", "amenorrhoea"),
    ("白天开着会都能睡着", "lethargy"),
    ("手脚一年四季冰凉", "cold_hands_feet"),
])
def test_a_function_said_to_be_worse_is_the_symptom(said, symptom):
    state, _ = converse("最近身体不太对劲", said)
    assert state.symptoms[symptom].present is True


def test_all_year_round_is_not_a_length():
    assert durations("手脚一年四季冰凉") == []


def test_a_bystander_describing_a_friend_in_danger_now_is_told_to_call_120():
    _state, turn = converse("室友在游泳馆被捞上来 脸发紫 叫他没反应", mode="triage")
    assert turn.stage == "emergency"
    _state, turn = converse("邻居大爷去年中风了 现在恢复得挺好", mode="triage")
    assert turn.stage != "emergency"


def test_a_relative_who_also_has_it_has_the_illness_just_named():
    state, _ = converse("口渴一个月了", "我妈有糖尿病 我姥姥也有")
    assert state.facts["family.history"].value == ["母亲糖尿病", "外祖母糖尿病"]


def test_medicines_patients_name_are_recorded():
    state, _ = converse("腰疼好几天了", "贴过膏药 还吃过普瑞巴林")
    drugs = state.facts["present_illness.medications"].value
    assert {"pregabalin", "medicated_plaster"} <= set(drugs)


def test_a_death_wish_that_keeps_coming_back_is_still_asked_about():
    state, turn = converse("最近老是觉得这个家没有我会更好", mode="triage")
    assert turn.stage == "screening" and "suicidal_intent" in state.screened


@pytest.mark.parametrize("said", [
    "我爸有房颤 今天肚子疼得要命 按着倒不怎么疼",
    "老人家屙出嚟都系黑色 仲话头晕 企唔稳",
])
def test_more_emergencies_in_plain_or_dialect_words(said):
    _state, turn = converse(said, mode="triage")
    assert turn.stage == "emergency"


def test_a_bare_denial_with_no_site_is_of_the_complaint_itself():
    state, _ = converse("尿不利索 等半天才出来", "没见血", "不疼")
    assert state.symptoms["haematuria"].present is False
    assert state.symptoms["dysuria"].present is False
    state, _ = converse("咳嗽一周了", "痰里没见血")
    assert state.symptoms["haemoptysis"].present is False
