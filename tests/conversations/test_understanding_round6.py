"""Patients in their own words, sixth round (issue 9): relatives named by apposition or with
an ordinal, relatives' long-standing complaints, operations and denials in everyday words,
durations counted from weekdays, occupations; the red flags of this round are in
test_red_flags_round6.py."""

from __future__ import annotations

import pytest

from conversations.knowledge import default_knowledge
from conversations.nlu import understand
from conversations.state import PatientContext
from tests.conversations.test_understanding import converse
from tests.conversations.test_understanding_round5 import _family

FATHER_OF_TYPIST = PatientContext(age_years=74, sex="male")
MOTHER_OF_TYPIST = PatientContext(age_years=66, sex="female")
ADULT = PatientContext(age_years=45, sex="female")


def test_his_eldest_brother_is_the_patients_brother_not_the_typists():
    state, _ = converse("我爸最近老睡不好", "他大哥也是冠心病", patient=FATHER_OF_TYPIST)
    family = _family(state)
    assert any(v.startswith("哥哥") and "冠心病" in v for v in family)
    assert not any(v.startswith("儿子") for v in family)


def test_a_relative_named_twice_by_apposition_before_a_new_clause():
    state, _ = converse("我妈左肩膀疼 半个月了", "我外公就是她爸 有高血压 我小姨也是",
                        patient=MOTHER_OF_TYPIST)
    family = _family(state)
    assert any(v.startswith("父亲") and "高血压" in v for v in family)
    assert any(v.startswith("姐妹") and "高血压" in v for v in family)
    assert not any(v.startswith(("外祖父", "姨妈")) for v in family)


def test_a_grandmother_who_is_the_patients_mother_died_of_cancer():
    state, _ = converse("我爸拉肚子一个多月了", "我奶奶就是他妈 是肠癌走的",
                        patient=FATHER_OF_TYPIST)
    assert any(v.startswith("母亲") and "肠癌" in v for v in _family(state))


def test_a_shoulder_said_with_its_side_and_pain_is_the_complaint():
    state, _ = converse("我妈左肩膀疼 抱孙子抱的", patient=MOTHER_OF_TYPIST)
    assert state.facts["chief_complaint.symptom"].value == "joint_pain"
    assert state.facts.get("present_illness.informant") is not None


def test_a_relatives_hearing_loss_is_family_history_not_the_patients_and_not_told_for_her():
    state, _ = converse("右边耳朵嗡嗡响 半个月了", "我妈耳背好多年了 我爸是糖尿病", patient=ADULT)
    family = _family(state)
    assert any(v.startswith("母亲") and "听力" in v for v in family)
    assert "present_illness.informant" not in state.facts
    assert "hearing_loss" not in state.symptoms


def test_baldness_in_father_and_grandfather_is_family_history():
    state, _ = converse("头发越掉越多 两三年了", "我爸跟我爷爷都秃", patient=ADULT)
    family = _family(state)
    assert any(v.startswith("父亲") for v in family)
    assert any("祖父" in v for v in family)


def test_the_patient_named_again_by_the_typist_keeps_her_symptoms():
    state, _ = converse("帮我妈问的 她头晕三天了", "我妈还有点恶心", patient=MOTHER_OF_TYPIST)
    assert state.symptoms["nausea"].present
    assert _family(state) == []


def test_what_a_relative_noticed_is_the_patients_symptom():
    state, _ = converse("咳嗽一个礼拜了", "我妈说我晚上还打呼噜", patient=ADULT)
    assert _family(state) == []


def _denied(state) -> set[str]:
    return {c for c, s in state.symptoms.items() if not s.present}


def _present(state) -> set[str]:
    return {c for c, s in state.symptoms.items() if s.present}


def test_a_red_eye_said_with_its_side_leads_before_the_discharge():
    state, _ = converse("右眼红了 早上起来眼屎把眼睛糊住了睁不开", patient=ADULT)
    assert state.facts["chief_complaint.symptom"].value == "red_eye"
    assert "eye_discharge" in _present(state)


def test_yellow_snot_is_purulent_not_a_plain_runny_nose():
    state, _ = converse("鼻子堵 擤出来黄绿鼻涕 一个礼拜了", patient=ADULT)
    assert "purulent_nasal_discharge" in _present(state)
    assert "runny_nose" not in _present(state)


def test_a_back_that_will_not_straighten_is_limited_motion():
    state, _ = converse("搬东西闪着腰了 直不起来 翻个身都费劲", patient=ADULT)
    assert "limited_motion" in _present(state)


def test_plain_words_that_all_is_well_deny_the_symptoms():
    state, _ = converse("胃疼十来天了", "大便不黑 人也没瘦 饭吃得下 尿跟平时一样多", patient=ADULT)
    assert {"melena", "weight_loss", "poor_appetite", "oliguria"} <= _denied(state)


def test_sweating_all_over_in_bed_at_night_is_night_sweats():
    state, _ = converse("低烧两个礼拜了", "晚上睡觉出一身汗", patient=ADULT)
    assert "night_sweats" in _present(state)


def test_the_pain_in_front_of_an_ear_is_ear_pain():
    state, _ = converse("右边耳朵前面疼 一个多月了", patient=ADULT)
    assert state.facts["chief_complaint.symptom"].value == "ear_pain"


def test_a_receding_hairline_is_told_not_a_request_to_go_back():
    state, _ = converse("掉头发 发际线往后退 头顶也稀了 两三年了", patient=ADULT)
    assert state.facts["chief_complaint.symptom"].value == "hair_loss"


def test_a_request_to_go_back_said_alone_still_goes_back():
    lexicon = default_knowledge().lexicon
    assert understand("后退", lexicon).back
    assert understand("返回上一题", lexicon).back
    assert not understand("发际线往后退", lexicon).back


def test_everyday_words_for_the_complaint_lead():
    for words, concept in (("左耳朵里一直有蝉叫的声音", "tinnitus"),
                           ("俺娘这两天解手带血 鲜红的", "haematochezia"),
                           ("心里老咯噔一下 像停一拍", "palpitations"),
                           ("宝宝六个月 三天没拉了", "constipation"),
                           ("白带有股腥味 灰白色的 量多", "vaginal_discharge")):
        state, _ = converse(words, patient=ADULT)
        assert state.facts["chief_complaint.symptom"].value == concept, words


def test_a_cold_that_came_and_went_before_is_not_a_symptom_now():
    state, _ = converse("耳朵发闷 五天了", "感冒好了以后才有的 感冒那会儿烧到38度2 现在早就不烧了",
                        patient=ADULT)
    assert "cold_symptoms" not in _present(state) or state.symptoms["cold_symptoms"].history
    assert not (state.symptoms["fever"].present and not state.symptoms["fever"].history
                and not state.symptoms["fever"].resolved)


def test_a_guess_that_it_was_a_cold_is_no_cold():
    state, _ = converse("低烧两个礼拜了", "一开始以为是感冒", patient=ADULT)
    assert "cold_symptoms" not in state.symptoms


def test_no_longer_warm_to_the_touch_is_a_fever_that_went():
    state, _ = converse("孩子昨天有点低烧 37度5", "今天摸着不烫了", patient=ADULT)
    assert state.symptoms["fever"].resolved


def test_heartburn_that_burns_badly_is_no_fever():
    state, _ = converse("怀孕24周 最近烧心烧得厉害", patient=ADULT)
    assert "fever" not in state.symptoms


def test_what_is_fine_said_plainly_is_denied():
    state, _ = converse("头晕一礼拜了", "不是转圈那种 耳朵也不响 说话 手脚都没毛病", patient=ADULT)
    assert {"vertigo", "tinnitus", "slurred_speech", "weakness"} <= _denied(state)


def test_a_baby_with_a_soft_belly_who_still_passes_wind_is_not_obstructed():
    state, _ = converse("宝宝六个月 三天没拉了", "肚子软软的 不吐 屁也有",
                        patient=PatientContext(age_years=0, age_months=6, sex="male"))
    assert {"abdominal_distension", "obstipation", "vomiting"} <= _denied(state)


def test_walking_until_the_legs_force_a_rest_is_claudication():
    state, _ = converse("腰疼两三年了", "走一段路腿就又酸又麻 得蹲下歇会儿才能接着走",
                        patient=FATHER_OF_TYPIST)
    assert {"numbness", "intermittent_claudication"} <= _present(state)


def test_a_tooth_that_hurts_with_cold_water_and_a_mouth_that_opens():
    state, _ = converse("左下边最里头那颗牙疼 喝口凉水都钻心", "脸没肿 嘴巴能张开", patient=ADULT)
    assert "thermal_tooth_pain" in _present(state)
    assert "jaw_pain" in _denied(state)


def test_a_face_that_does_not_droop_and_a_mouth_without_ulcers_are_denied():
    state, _ = converse("身上起红疹子 前天开始的", "嘴里没烂 眼睛不红 嘴也不歪", patient=ADULT)
    assert {"mouth_ulcer", "red_eye", "facial_droop"} <= _denied(state)


def test_waking_breathless_at_night_is_its_own_sign_and_can_be_denied():
    state, _ = converse("胸口闷 气短 快仨月了", "晚上没憋醒过 枕头也不用垫高", patient=ADULT)
    assert {"paroxysmal_nocturnal_dyspnoea", "orthopnoea"} <= _denied(state)


def test_feet_that_burn_at_night_are_no_fever():
    state, _ = converse("手指头脚趾头都麻 半年了", "晚上脚还有点烧", patient=ADULT)
    assert "burning_feet" in _present(state)
    assert "fever" not in state.symptoms


def _past(state) -> set[str]:
    found = set()
    for key in ("past.chronic_diseases", "past.operations", "past.infectious_diseases"):
        fact = state.facts.get(key)
        found |= set(fact.value) if fact and isinstance(fact.value, list) else set()
    return found | {c for c, d in state.diseases.items() if d.present and d.history}


def test_operations_in_everyday_words_are_past_history():
    state, _ = converse("胸口闷 气短 快仨月了", "心脏放过两个支架 右边膝盖换过 上过环 喝过碘131",
                        patient=MOTHER_OF_TYPIST)
    assert {"pci", "knee_replacement", "iud_insertion", "radioiodine_therapy"} <= _past(state)


def test_a_caesarean_birth_is_no_relative():
    state, _ = converse("肚子疼三天了", "生孩子是剖的", patient=ADULT)
    assert "caesarean_section" in _past(state)
    assert _family(state) == []


def test_an_illness_the_patient_has_besides_the_complaint_is_past_history():
    state, _ = converse("左肩膀疼 十来天了", "还有乳腺增生", patient=ADULT)
    assert "breast_hyperplasia" in _past(state)


def test_an_illness_named_as_the_reason_now_is_not_past_history():
    state, _ = converse("咳嗽一个礼拜了", "现在有肺炎吗 要不要拍片", patient=ADULT)
    assert not any(d.history for d in state.diseases.values())


@pytest.mark.parametrize(("words", "days"), [
    ("上周六打的球 今天周二", 3), ("礼拜二开始的 今天礼拜五", 3),
    ("周日晚上开始的 今天周三了", 3), ("上礼拜二拿的报告 今天礼拜六", 11),
    ("周三晚上吃了烧烤 周四开始拉的 今天周六", 2), ("上上周五开始的 今天周一", 10),
])
def test_days_since_a_weekday_count_from_the_weekday_said_to_be_today(words, days):
    assert understand(words, default_knowledge().lexicon).duration.days == days


def test_a_weekday_without_today_named_counts_no_days():
    assert understand("上周六打的球", default_knowledge().lexicon).duration is None


def test_how_long_it_has_lasted_replaces_the_day_it_was_noticed():
    state, _ = converse("我爸一站起来就头晕 昨天早上差点没站住", "吃了以后开始的 有二十来天了",
                        patient=FATHER_OF_TYPIST)
    assert state.facts["chief_complaint.duration"].value >= 15


def test_how_long_stiffness_takes_to_ease_is_not_how_long_the_illness_lasted():
    state, _ = converse("两只手好几个指头关节肿 早上起来发僵 得活动半个多钟头才能打弯",
                        "差不多三个月了", patient=ADULT)
    assert state.facts["chief_complaint.duration"].value >= 60


def test_a_belief_about_the_cause_is_no_occupation():
    state, _ = converse("两只手指头关节肿", "差不多三个月了 开始还以为是老碰冷水闹的",
                        patient=ADULT)
    fact = state.facts.get("personal.occupation")
    assert fact is None or "以为" not in str(fact.value)


@pytest.mark.parametrize("said", ["在读研一", "今年高三", "上高一了", "在家考研"])
def test_a_school_year_is_a_student(said):
    assert default_knowledge().occupation(said) == "学生"


def test_a_fall_on_the_way_to_the_toilet_at_night_is_the_complaint_not_nocturia():
    state, _ = converse("我妈前天晚上起夜摔了一跤 屁股着地", patient=MOTHER_OF_TYPIST)
    assert state.facts["chief_complaint.symptom"].value == "trauma"
    assert not {"polyuria", "nocturia"} & set(state.symptoms)


@pytest.mark.parametrize(("words", "concept"), [
    ("胸口左边一阵一阵刺痛", "chest_pain"), ("嘴里老长溃疡", "mouth_ulcer"),
    ("月经量特别多", "menorrhagia"), ("他最近耳朵越来越背", "hearing_loss"),
])
def test_everyday_words_for_a_complaint_name_it(words, concept):
    state, _ = converse(words, patient=ADULT)
    assert state.facts["chief_complaint.symptom"].value == concept


@pytest.mark.parametrize(("said", "job"), [
    ("我做建材生意", "个体经营"), ("做外贸", "职员"), ("软件测试", "程序员"),
    ("在超市理货", "营业员"), ("我在物流公司开叉车", "叉车司机"), ("一辈子在家", "家务"),
])
def test_a_job_said_after_the_habits_is_the_occupation(said, job):
    state, _ = converse("肚子疼三天了", f"不抽烟 不喝酒 {said}", patient=ADULT)
    assert str(state.facts["personal.occupation"].value).startswith(job)


def test_a_relative_named_twice_side_by_side_is_one_person():
    state, _ = converse("我妈腿肿 一个来月了", "我姥爷 她爸 也是心衰走的", patient=MOTHER_OF_TYPIST)
    family = _family(state)
    assert any(v.startswith("父亲") and "心" in v for v in family)
    assert not any(v.startswith("外祖父") for v in family)


def test_urine_that_is_not_dark_is_no_word_on_jaundice_and_a_bare_no_fit_is_a_denial():
    state, _ = converse("孩子发烧两天了", "眼睛不黄 尿不黄 没抽", patient=ADULT)
    assert {"jaundice", "dark_urine", "convulsion"} <= _denied(state)


def test_pain_that_keeps_one_awake_at_night_is_night_pain():
    state, _ = converse("右边后牙疼得厉害 两天了", "晚上疼得睡不着", patient=ADULT)
    assert "night_pain_waking" in _present(state)


def test_urine_that_burns_is_dysuria_not_a_fever():
    state, _ = converse("小便完了还滴 一个多月了", "尿尿有点烧 不发烧", patient=ADULT)
    assert "dysuria" in _present(state)
    assert "fever" in _denied(state)
