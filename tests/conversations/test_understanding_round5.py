"""Patients in their own words, fifth round (issue 9): family history told by a relative is
written from the patient's side, and plans for suicide said sideways stop the conversation."""

from __future__ import annotations

import pytest

from conversations.state import PatientContext
from tests.conversations.test_understanding import converse

MOTHER_OF_TYPIST = PatientContext(age_years=68, sex="female")
CHILD = PatientContext(age_years=6, sex="male")


def _family(state) -> list[str]:
    fact = state.facts.get("family.history")
    return [str(v) for v in fact.value] if fact else []


def test_a_daughter_typing_for_her_mother_names_the_mothers_relatives():
    state, _ = converse("帮我妈问的 她咳嗽一个多月了", "干咳 没痰",
                        "我舅舅就是她哥 得过肺癌 我姥姥有糖尿病", patient=MOTHER_OF_TYPIST)
    family = _family(state)
    assert any(v.startswith("哥哥") and "肺癌" in v for v in family)
    assert any(v.startswith("母亲") and "糖尿病" in v for v in family)
    assert not any(v.startswith(("外祖母", "舅舅")) for v in family)


def test_the_typists_own_father_is_not_the_mothers_blood_relative():
    state, _ = converse("我妈头晕好几天了", "我爸有高血压", patient=MOTHER_OF_TYPIST)
    assert _family(state) == []


def test_a_mother_typing_for_her_child_names_her_own_mother_as_the_grandmother():
    state, _ = converse("孩子咳嗽三天了", "不发烧", "我老公有过敏性鼻炎 我妈有糖尿病",
                        patient=CHILD)
    family = _family(state)
    assert any(v.startswith("外祖母") and "糖尿病" in v for v in family)


def test_an_appositive_names_one_relative_not_two():
    state, _ = converse("儿子发烧两天了", "我妈也就是孩子外婆有糖尿病", patient=CHILD)
    assert [v for v in _family(state) if "糖尿病" in v] == ["外祖母糖尿病"]


def test_a_relatives_illness_said_after_their_ill_health_is_still_theirs():
    state, _ = converse("孩子肚子疼半个月了", "她爸肠胃也不好 十二指肠溃疡", patient=CHILD)
    assert any(v.startswith("父亲") and "溃疡" in v for v in _family(state))


def test_a_sibling_named_with_she_has_one_is_the_patients():
    state, _ = converse("我妈身上痒两个月了", "她有个弟弟是肝癌走的", patient=MOTHER_OF_TYPIST)
    assert any(v.startswith("弟弟") and "肝癌" in v for v in _family(state))


def test_a_finding_of_the_father_who_is_the_patient_is_not_family_history():
    state, _ = converse("我爸七十二 体检肺上有个结节一公分半", mode="triage")
    assert _family(state) == []


@pytest.mark.parametrize("words", [
    "我女儿手腕上一道一道的口子，今天又割了，流了好多血",  # 手腕上一道 is no request to go back
    "炭和胶带都买好了 车库门也封了",
    "想问问，多少片地西泮吃下去就不会醒",
    "算了，反正过了这礼拜也不用睡了，我都安排好了",
    "煤气我开着呢，就想安安静静的",
    "老了不中用 拖累孩子 我把老鼠药拌在饭里了",
    "我老公喝了酒，拿着刀说要死给我们看",
    "孩子我已经送到姥姥家了。安眠药和酒都在桌上",
])
def test_a_plan_said_sideways_stops_the_conversation_with_the_crisis_line(words):
    state, turn = converse(words, mode="triage")
    assert state.red_flag is not None and state.red_flag.level == "emergency"
    assert "12356" in turn.text and "120" in turn.text


@pytest.mark.parametrize("words", [
    "有时候过马路会想 车撞过来就好了",
    "老伴走后 我天天盼着早点去找她",
    "我妈老念叨 活这么大岁数干啥 早死早托生",
])
def test_a_wish_to_be_dead_gets_the_screening_question(words):
    state, turn = converse(words, mode="triage")
    assert state.screening is not None and state.red_flag is None
    assert "伤害自己" in turn.text and "12356" in turn.text


@pytest.mark.parametrize("words", [
    "我妈的安眠药一次吃几片？医生说一片",
    "想把存折放银行保险柜里",
    "去年装修选好了楼顶的防水材料",
])
def test_everyday_talk_of_pills_and_savings_is_no_alarm(words):
    state, _ = converse(words, mode="triage")
    assert state.red_flag is None


@pytest.mark.parametrize("words", [
    "嘴歪倒没歪，就是右边牙疼，腮帮子有点肿",
    "嘴歪眼斜那是小时候的事了 面瘫 早好了",
    "一只眼突然看不见那是前年的事，眼底出血，打过针了",
    "眼皮一直跳 一抽一抽的",
])
def test_a_sign_denied_or_dated_right_after_the_words_is_no_alarm(words):
    state, _ = converse(words, mode="triage")
    assert state.red_flag is None


def test_the_same_sign_said_of_now_still_stops():
    state, _ = converse("今天早上突然嘴歪了，左手也没劲", mode="triage")
    assert state.red_flag is not None and state.red_flag.level == "emergency"


# -- a long pre-visit interview is not one sentence ---------------------------------------------

def test_a_relatives_diabetes_and_a_foggy_head_ten_answers_apart_are_no_hypoglycaemia():
    state, _ = converse("头晕 一个礼拜了", "不是转的那种 就是昏昏沉沉", "不吐 耳朵不响",
                        "没做过手术", "不过敏", "不抽烟", "我爸有糖尿病")
    assert state.red_flag is None


def test_an_allergys_past_reaction_in_the_history_is_no_emergency():
    state, _ = converse("孩子胳膊肘窝痒得厉害 红红的", "每年冬天都犯", "不发烧",
                        "花生过敏 吃了嘴唇肿 还喘", "三年级")
    assert state.red_flag is None


def test_a_convulsion_named_for_an_earlier_fever_is_history():
    state, _ = converse("闺女老说头疼 下午最厉害", "三个多月了", "不吐 不发烧",
                        "小时候高烧抽过一回 医生说是热性惊厥", patient=CHILD)
    assert state.red_flag is None


def test_not_having_fainted_is_a_denial():
    state, _ = converse("一站起来就头晕 坐一会儿就好了", "没摔着 也没晕过去")
    assert state.red_flag is None
    assert state.symptoms["syncope"].present is False


def test_thoughts_of_suicide_denied_after_the_words_are_a_denial():
    state, _ = converse("老是心里头不踏实", "寻短见的念头没有 孙子还等我带呢")
    assert state.red_flag is None and state.screening is None


def test_chest_pain_then_cold_sweat_later_in_the_interview_still_stops():
    state, turn = converse("胸口疼 压着疼", "今天早上开始的", "出了一身冷汗")
    assert state.red_flag is not None and state.red_flag.level == "emergency"
    assert "120" in turn.text


# -- emergencies in words the rules did not know -----------------------------------------------

@pytest.mark.parametrize("words", [
    "看东西右边一半黑了看不见，早上起来就这样",
    "以前酮症住过院 这次又是 血酮4.5 吐",
    "孩子这一个月特别能喝，今天肚子疼，嘴里有股烂苹果味",
    "查血钾7.2 医生打电话让马上来 我没觉得难受",
    "我爸前列腺肥大，从昨晚到现在一滴尿都没有，肚子胀疼",
    "邻居小伙子光着身子在楼道里乱跑，砸东西，说自己是神",
    "孩子打翻了开水壶，胸口肚子全烫了，起了大水泡",
    "刚才一下子吃了两整板布洛芬缓释胶囊 现在肚子疼",
])
def test_emergencies_in_other_words_stop_the_triage(words):
    state, _ = converse(words, mode="triage")
    assert state.red_flag is not None and state.red_flag.level == "emergency"


@pytest.mark.parametrize("words", [
    "血酮0.3 正常吗",
    "补钾7天了 现在还要吃吗",
    "这回喝了好多水 还吃了点三金片",
    "吃过一盒宁泌泰 没啥效果",
    "我爸肠子里长过息肉 切掉了",
])
def test_everyday_numbers_and_treatments_raise_nothing(words):
    state, _ = converse(words, mode="triage")
    assert state.red_flag is None


def test_each_allergen_of_a_list_before_all_allergic_is_an_allergy():
    state, _ = converse("拉肚子两天了", "青霉素 头孢都过敏 青霉素是起疹子")
    allergens = state.facts["allergy.drugs"].value
    assert {"penicillin", "cephalosporin"} <= set(allergens)
    assert "present_illness.medications" not in state.facts


@pytest.mark.parametrize(("words", "job"), [
    ("我是空乘 经常飞 不抽烟", "空中乘务员"),
    ("在菜市场卖菜 不喝酒", "个体经营"),
    ("当律师的 每天说话多", "律师"),
    ("开饭馆的 自己当老板", "个体经营"),
])
def test_a_job_said_in_passing_is_the_occupation(words, job):
    state, _ = converse("咳嗽三天", words)
    assert state.facts["personal.occupation"].value.startswith(job)


def test_a_childs_school_grade_is_recorded_though_nobody_asks_a_child_about_work():
    state, _ = converse("儿子发烧四天了", "吃了退烧药", "四年级", patient=CHILD)
    assert state.facts["personal.occupation"].value == "学生"


@pytest.mark.parametrize(("words", "symptom"), [
    ("右耳朵疼 听不清 两个礼拜了", "ear_pain"),
    ("下腹隐隐的疼", "abdominal_pain"),
    ("膝盖那块有点疼", "joint_pain"),
])
def test_a_site_with_its_pain_said_after_is_that_sites_pain(words, symptom):
    state, _ = converse(words)
    assert state.symptoms[symptom].present


def test_the_ring_finger_is_no_denial():
    state, _ = converse("左手小拇指和无名指发麻 三个礼拜左右")
    assert state.symptoms["numbness"].present


def test_a_past_febrile_convulsion_denied_this_time_is_no_alarm():
    state, _ = converse("宝宝发烧三天了 最高39度8", "精神还行 烧一退就满地爬着玩",
                        "去年发烧抽过一回 医生说是热性惊厥 这回没抽",
                        patient=PatientContext(age_years=1, sex="male", age_months=14))
    assert state.red_flag is None
