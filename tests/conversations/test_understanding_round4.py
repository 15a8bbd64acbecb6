"""Patients in their own words, fourth round (issue 9): a visit about a finding rather than a
symptom, what a lump itself does, and swelling said right after the place."""

from __future__ import annotations

import pytest

from conversations.knowledge import default_knowledge
from conversations.nlu_numbers import durations
from conversations.state import PatientContext
from tests.conversations.test_understanding import converse, note_of

CHILD = PatientContext(age_years=7, sex="male")


def test_a_finding_from_a_check_up_is_why_the_patient_came():
    state, _ = converse("体检查出甲状腺结节", "B超写的右叶低回声结节 0.8×0.6cm",
                        "脖子不疼 吞东西不卡")
    assert state.facts["chief_complaint.symptom"].value == "thyroid_nodule"
    assert note_of(state).startswith("主诉：体检发现甲状腺结节")


def test_a_known_illness_brought_for_review_reads_as_a_review_in_the_note():
    state, _ = converse("有房颤 想复查一下", "前年查出来的 吃着利伐沙班")
    note = note_of(state)
    assert "主诉：发现心房纤颤约2年，要求复查。" in note
    assert "现来复查" in note


def test_a_worry_about_a_disease_is_not_the_complaint():
    state, _ = converse("会不会是甲状腺结节啊")
    assert "chief_complaint.symptom" not in state.facts


def test_a_symptom_still_leads_over_a_named_disease():
    state, _ = converse("有高血压 最近头疼")
    assert state.facts["chief_complaint.symptom"].value == "headache"


def test_a_painless_lump_is_not_a_painless_back():
    state, _ = converse("背上有个肉疙瘩", "软软的 能推动", "不疼")
    assert state.symptoms["local_pain"].present is False
    assert "back_pain" not in state.symptoms and "low_back_pain" not in state.symptoms


def test_swelling_said_right_after_the_joint_is_the_joints():
    state, _ = converse("膝盖红肿 走路疼")
    assert state.symptoms["joint_swelling"].present


def test_drinking_a_lot_in_the_textbook_word_is_understood():
    state, _ = converse("最近多饮多尿")
    assert state.symptoms["polydipsia"].present


def test_the_right_ankle_in_dialect_is_not_the_neck():
    state, _ = converse("右脚脖子疼 崴了一下")
    assert "neck_pain" not in state.symptoms


@pytest.mark.parametrize(("said", "job"), [
    ("外卖平台做客服的", "客服"),
    ("做了一辈子裁缝", "裁缝"),
    ("在4S店修车", "汽车修理工"),
    ("我喺酒楼洗碗", "洗碗工"),
    ("当兵的", "军人"),
    ("全职妈妈", "家务（全职妈妈）"),
])
def test_a_job_said_in_everyday_words_gets_the_records_name(said, job):
    assert default_knowledge().occupation(said) == job


@pytest.mark.parametrize("said", [
    "我老公这两天说有人要害他 刚才拿着菜刀站在门口 谁过去就砍谁",
    "老爷子有糖尿病 脚趾头发黑了 还流脓 今天烧到三十八度多",
    "我爸从早上到现在一直尿不出来 小肚子胀得鼓鼓的",
    "透析的 这周漏了两次没透 今天腿软得站不住",
    "左眼胀得厉害 头也疼 看灯周围有一圈彩虹 吐了一回",
    "晚上胰岛素打重复了 打了两回 现在有点心慌",
    "拿小刀划自己停不下来 想划得更深一点",
    "昨天做完扁桃体手术回家 嘴里一直在流血 吐出来好几口血块",
    "被流浪狗咬了脸 嘴边上一个窟窿 一直流血",
])
def test_an_emergency_from_the_fourth_round_stops_the_chat(said):
    state, turn = converse(said, mode="triage")
    assert turn.stage == "emergency"
    assert state.red_flag.level == "emergency"


@pytest.mark.parametrize("messages", [
    ("嗓子疼 三天了", "声音也哑了 说话费劲 有点咳"),
    ("咳嗽一周了", "不发烧", "青霉素过敏 打了喘不上气 那是小时候的事"),
    ("右手手指头麻 两个月了", "手没劲倒没有 扣扣子还行"),
    ("掉头发 三个月了", "洗头一把一把掉 头顶有点稀了"),
    ("贫血 吃着硫酸亚铁", "没别的不舒服"),
])
def test_an_answer_in_the_interview_does_not_sound_the_alarm(messages):
    state, turn = converse(*messages)
    assert turn.stage != "emergency", state.red_flag


def test_a_child_who_sleeps_deeply_is_not_unresponsive():
    state, turn = converse("孩子七岁了还尿床", "睡得特别沉 叫不醒", patient=CHILD)
    assert turn.stage != "emergency", state.red_flag


def test_two_months_in_colloquial_counting_is_a_duration():
    assert durations("胸口闷 快仨月了")[0].value == 90.0


@pytest.mark.parametrize("said", ["医生说肌酐有点高", "是慢慢来的", "都是在家生的"])
def test_a_sentence_with_a_doctor_or_a_copula_is_not_a_job(said):
    assert default_knowledge().occupation(said) == said  # kept as said: no job read into it
    state, _ = converse("头晕两天了", said)
    assert "personal.occupation" not in state.facts


def test_a_parents_own_illness_is_the_childs_family_history():
    state, _ = converse("闺女发烧 两天了", "她妈甲亢 我痛风 别的没了",
                        patient=PatientContext(age_years=6, sex="female"))
    note = note_of(state)
    assert "父亲痛风" in note and "母亲甲状腺功能亢进症" in note
    assert "既往史" not in note


def test_a_child_who_says_i_hurts_is_still_the_patient():
    state, _ = converse("我头疼 两天了", patient=PatientContext(age_years=9, sex="male"))
    assert state.facts["chief_complaint.symptom"].value == "headache"


@pytest.mark.parametrize(("said", "patient"), [
    ("想从楼上跳下去 一了百了", None),
    ("我把自己锁在车里 点了炭", None),
    ("刚把一整瓶安眠药吃了", None),
    ("我妈突然看东西都是双的 走路也晃", None),
    ("右眼突然像被拉了个帘子 下面一半看不见", None),
    ("娃把他爷爷的降压药吃了两片", PatientContext(age_years=4, sex="male")),
])
def test_more_emergencies_in_everyday_words(said, patient):
    _state, turn = converse(said, mode="triage", **({"patient": patient} if patient else {}))
    assert turn.stage == "emergency"


@pytest.mark.parametrize("said", ["冬天烧炭取暖开着窗 就是咳嗽有痰 一礼拜了",
                                  "孩子发烧了 吃了退烧药 现在好点了"])
def test_charcoal_for_warmth_and_a_fever_medicine_are_not_emergencies(said):
    state, turn = converse(said, mode="triage", patient=PatientContext(age_years=4, sex="male"))
    assert turn.stage != "emergency" or state.red_flag.level == "possible"


@pytest.mark.parametrize(("said", "concept"), [
    ("手脚都有劲", "weakness"), ("还放屁 没吐", "obstipation"), ("没晕过", "syncope"),
    ("没抽过", "convulsion"), ("下面没出血", "vaginal_bleeding"),
])
def test_a_short_denial_is_kept(said, concept):
    state, _ = converse("头晕三天了", said)
    assert state.symptoms[concept].present is False


def test_no_bleeding_in_pregnancy_is_no_vaginal_bleeding():
    state, _ = converse("怀孕十周 吐得厉害", "一个礼拜了", "没出血 肚子不疼",
                        patient=PatientContext(age_years=28, sex="female", pregnant=True))
    assert state.symptoms["vaginal_bleeding"].present is False
