"""Patients in their own words, seventh round (issue 9): a lump said a few words after its site,
the day an illness began said with the complaint, a child's age in months beside the complaint,
and lengths of something else (a nursery, a medicine) that are not the complaint's."""

from __future__ import annotations

import pytest

from conversations.knowledge import default_knowledge
from conversations.nlu import understand
from conversations.state import PatientContext
from tests.conversations.test_understanding import converse

ADULT = PatientContext(age_years=52, sex="female")
MAN = PatientContext(age_years=60, sex="male")
BABY = PatientContext(age_years=0, sex="male", age_months=8)
LEXICON = default_knowledge().lexicon


def _present(text: str) -> set[str]:
    return {m.concept for m in understand(text, LEXICON).mentions
            if m.kind == "symptoms" and not m.negated}


@pytest.mark.parametrize(("words", "lump"), [
    ("右边乳房外侧有个硬疙瘩 黄豆那么大", "breast_lump"),
    ("右边乳房靠腋窝那边有个硬疙瘩", "axillary_lump"),
    ("左边奶上摸着有个硬块 不怎么疼", "breast_lump"),
    ("乳头下面鼓起来一块 按着有点疼", "breast_lump"),
    ("孩子耳朵后面脖子上摸到两个小疙瘩", "neck_lump"),
    ("大腿外侧长了个包 有鸡蛋大", "limb_lump"),
])
def test_a_lump_said_a_few_words_after_its_site_is_that_sites_lump(words, lump):
    assert lump in _present(words)


@pytest.mark.parametrize("words", [
    "脖子上戴的包括一条项链",  # 包括 is no lump
    "胳膊上没摸到什么疙瘩",
])
def test_no_lump_where_none_was_felt(words):
    assert not ({"limb_lump", "neck_lump"} & _present(words))


def test_a_lump_felt_in_the_breast_is_the_complaint():
    state, _ = converse("昨天洗澡发现左边乳房上面有个硬疙瘩", patient=ADULT)
    assert state.facts["chief_complaint.symptom"].value == "breast_lump"


@pytest.mark.parametrize(("words", "days"), [
    ("左边腰疼 前天半夜疼醒的", 1.5),
    ("我妈摔了一跤 大前天的事 手腕一直肿着", 3.0),
    ("孙子昨天踢球把脚崴了", 1.0),
])
def test_the_day_it_began_said_with_the_complaint_is_its_length(words, days):
    state, _ = converse(words, patient=ADULT)
    assert state.facts["chief_complaint.duration"].value == pytest.approx(days, abs=0.6)


def test_a_babys_age_in_months_beside_the_complaint_is_no_length():
    state, _ = converse("宝宝拉肚子 八个月", "前天开始拉的 一天五六次", patient=BABY)
    assert state.facts["chief_complaint.duration"].value == pytest.approx(2.0, abs=0.6)


def test_months_said_as_a_length_of_a_babys_complaint_still_count():
    state, _ = converse("宝宝湿疹 八个月了 一直反反复复", patient=BABY)
    assert state.facts["chief_complaint.duration"].value == pytest.approx(240, abs=20)


def test_how_long_the_child_has_been_at_nursery_is_not_how_long_the_fever_is():
    state, _ = converse("孩子发烧", "今天早上开始烧的 最高38度9", "幼儿园上了两个月",
                        patient=PatientContext(age_years=3, sex="female"))
    assert state.facts["chief_complaint.duration"].value < 1


def test_hours_later_is_no_length_of_the_fever():
    state, _ = converse("孩子发烧", "前天晚上开始的 吃了退烧药 过几个钟头又烧起来",
                        patient=PatientContext(age_years=4, sex="male"))
    assert state.facts["chief_complaint.duration"].value >= 1


def test_a_month_and_more_before_bowel_words_is_a_length():
    state, _ = converse("我爸这两个多月大便老是稀的 一天好几回", patient=MAN)
    assert state.facts["chief_complaint.duration"].value == pytest.approx(66, abs=10)


def test_began_years_ago_is_a_complaint_still_going_not_history():
    said = understand("五年前开始腰疼 时好时坏", LEXICON)
    pain = next(m for m in said.mentions if m.concept == "low_back_pain")
    assert not pain.history
    assert said.duration is not None and said.duration.days == pytest.approx(5 * 365)


def test_an_illness_years_ago_is_still_history():
    said = understand("五年前得过一次肺炎", LEXICON)
    assert all(m.history for m in said.mentions if m.kind in ("diseases", "symptoms"))


def test_the_stuffy_nose_began_when_the_cold_came_weeks_ago():
    said = understand("两个月前感冒以后开始鼻子不通", LEXICON)
    assert said.duration is not None and said.duration.days == pytest.approx(60)


@pytest.mark.parametrize(("words", "concept"), [
    ("这半年体重一直往下掉", "weight_loss"),
    ("干什么都没意思 提不起劲", "low_mood"),
    ("搬花盆闪着腰了", "low_back_pain"),
    ("骑车摔了 膝盖磕破了皮", "abrasion"),
    ("坐久了会阴胀痛", "perineal_pain"),
])
def test_everyday_words_of_round_seven(words, concept):
    assert concept in _present(words)


@pytest.mark.parametrize("words", [
    "夜里得起来三四回尿尿",
    "晚上起夜特别勤",
    "一晚上起来解手五六趟",
])
def test_getting_up_twice_or_more_a_night_to_pass_water_is_nocturia(words):
    assert "nocturia" in _present(words)


@pytest.mark.parametrize("words", [
    "夜里起来一回",  # once a night is no complaint
    "夜里咳得起来好几回",  # up for the cough, not to pass water
    "晚上起来上厕所摔了一跤",
])
def test_no_nocturia_without_two_nights_up_to_pass_water(words):
    assert "nocturia" not in _present(words)


def test_passing_water_not_smoothly_is_hesitancy_not_a_denied_pain():
    said = understand("我爸尿尿不痛快 老是滴滴答答", LEXICON)
    assert {m.concept for m in said.mentions if not m.negated} >= {"urinary_retention"}
    assert "dysuria" not in {m.concept for m in said.mentions}


def test_a_red_rash_on_the_flank_is_no_lump_and_grandma_is_no_breast():
    assert "back_lump" not in _present("右边腰上起了一片红疙瘩 有小水疱")
    said = understand("我奶奶子宫癌走的", LEXICON)
    assert "breast" not in {m.concept for m in said.mentions}


def test_waiting_a_while_to_pass_water_is_no_length():
    assert understand("尿等半天才出来", LEXICON).duration is None


def test_a_symptom_that_has_gone_does_not_lead_when_another_is_left():
    state, _ = converse("前阵子咳嗽 现在不咳了 主要是没劲 走几步就累", patient=ADULT)
    assert state.facts["chief_complaint.symptom"].value == "fatigue"


def test_mainly_is_no_if():
    said = understand("主要是头晕 别的还好", LEXICON)
    dizzy = next(m for m in said.mentions if m.concept == "dizziness")
    assert not dizzy.hypothetical


def test_an_old_illness_named_while_starting_to_talk_does_not_become_the_complaint():
    state, _ = converse("医生您好 我想问问 我五年前脑梗过", "这两天两条腿肿", patient=MAN)
    assert state.facts["chief_complaint.symptom"].value == "oedema"


def test_an_old_illness_leads_when_the_patient_comes_for_its_review():
    state, _ = converse("我去年心梗放了支架 想来复查开药", patient=MAN)
    assert state.facts["chief_complaint.symptom"].value in {
        "acute_myocardial_infarction", "coronary_stent_status", "myocardial_infarction"}


@pytest.mark.parametrize(("words", "concept"), [
    ("小腿上青筋鼓起来好多", "varicose_vein_symptoms"),
    ("嗓子里老像有东西 咽不下去吐不出来", "throat_itch"),
    ("宝宝屁股红 有点烂", "nappy_rash"),
    ("左边蛋蛋下面有点坠胀", "varicocele"),
    ("右边眼皮耷拉下来了", "ptosis"),
    ("我系咳 成个月都系咳", "cough"),
])
def test_everyday_words_of_round_seven_in_scripts(words, concept):
    assert concept in _present(words)


def test_a_click_in_the_back_when_lifting_is_no_palpitation():
    assert "palpitations" not in _present("提水上楼 腰背那咯噔一下 之后一直疼")


@pytest.mark.parametrize(("words", "denied"), [
    ("吃喝都正常 没发烧", "poor_appetite"),
    ("精神好 能吃能玩", "poor_appetite"),
    ("吃奶挺好 睡得也好", "poor_feeding"),
    ("喝水还行 尿也有", "oliguria"),
    ("吞东西不费劲 声音也没哑", "dysphagia"),
    ("尿的时候不疼 也没见血", "dysuria"),
    ("不红 也没流脓", "skin_infection"),
])
def test_normal_functions_said_in_passing_are_denials(words, denied):
    said = understand(words, LEXICON)
    assert any(m.concept == denied and m.negated for m in said.mentions), words


def test_allergens_listed_under_the_word_allergy_are_allergies():
    said = understand("过敏 花粉 尘螨", LEXICON)
    assert {m.concept for m in said.mentions if m.allergy} >= {"pollen", "dust_mite"}


def test_a_drug_said_to_be_fine_under_the_heading_is_no_allergy():
    said = understand("过敏 青霉素没事 头孢也可以", LEXICON)
    assert not any(m.allergy and not m.negated for m in said.mentions)


def test_a_rash_as_an_allergys_reaction_is_a_rash_not_peeling_skin():
    said = understand("对磺胺过敏 起皮疹", LEXICON)
    assert "rash" in {m.concept for m in said.mentions}
    assert "scaly_rash" not in {m.concept for m in said.mentions}


@pytest.mark.parametrize(("words", "concept"), [
    ("我姥姥六十岁绝经 有骨质疏松", "osteoporosis"),
    ("我爸身上也长这种包 医生说是脂肪瘤", "lipoma"),
    ("我哥腿上血管堵了截肢了", "limb_arteriosclerosis_obliterans"),
])
def test_a_relatives_illness_said_after_their_age_or_like_mine_is_family_history(words, concept):
    said = understand(words, LEXICON)
    assert any(m.concept == concept and m.family for m in said.mentions), words


@pytest.mark.parametrize(("words", "days"), [
    ("一个半多月了 天天起", 51),
    ("反反复复两年多 这回一个礼拜", 7),
    ("大半年了", 219),
])
def test_lengths_of_round_seven(words, days):
    said = understand(words, LEXICON).duration
    assert said is not None and said.days == pytest.approx(days, abs=1)


def test_the_year_an_old_illness_came_is_not_how_long_this_one_has_lasted():
    state, _ = converse("我去年得过面瘫 现在没事", "这次是右耳朵里面疼 流黄水", patient=ADULT)
    assert state.facts.get("chief_complaint.duration") is None or \
        state.facts["chief_complaint.duration"].value < 30


@pytest.mark.parametrize(("words", "kept", "gone"), [
    ("眼皮跳 不是 是眼皮耷拉", "ptosis", "eyelid_twitching"),
    ("晚上老尿床 不对 是憋不住 一咳嗽就漏", "urinary_incontinence", "nocturnal_enuresis"),
])
def test_a_word_the_patient_takes_back_is_not_kept(words, kept, gone):
    said = {m.concept for m in understand(words, LEXICON).mentions}
    assert kept in said and gone not in said


@pytest.mark.parametrize(("words", "concept"), [
    ("孩子老挠屁股 晚上睡不踏实", "anal_symptoms"),
    ("右胸有个包 洗澡时摸到的", "breast_lump"),
    ("脚底后跟疼 下床第一步最疼", "plantar_heel_pain"),
    ("勃起不太行 硬度不够", "erectile_dysfunction"),
])
def test_more_everyday_words_of_round_seven(words, concept):
    assert concept in _present(words)


def test_an_allergy_told_first_is_history_not_the_complaint():
    state, _ = converse("我过敏体质 青霉素 头孢都过敏", "这次是腰上起了一圈水泡 火辣辣的疼",
                        patient=ADULT)
    assert state.facts["chief_complaint.symptom"].value != "allergic_reaction"
    assert state.facts["allergy.drugs"].value == ["penicillin", "cephalosporin"]


def test_how_the_illness_started_is_history_not_a_symptom_now():
    said = understand("开始是感冒 后来咳了十来天", LEXICON)
    cold = next(m for m in said.mentions if m.concept == "cold_symptoms")
    assert cold.history
    assert said.duration is not None and said.duration.days >= 10


@pytest.mark.parametrize(("words", "denied"), [
    ("大便没变细 也没血", "stool_calibre_change"),
    ("视力正常 不头疼", "blurred_vision"),
    ("手不麻 脖子也不疼", "numbness"),
])
def test_more_normal_functions_are_denials(words, denied):
    said = understand(words, LEXICON)
    assert any(m.concept == denied and m.negated for m in said.mentions), words


def test_trouble_is_no_numbness():
    assert not understand("牵着孩子的手不麻烦", LEXICON).mentions


@pytest.mark.parametrize(("words", "concept"), [
    ("我爸还中过风", "stroke"),
    ("扁桃体有点大", "tonsil_hypertrophy"),
    ("以前腰也闪过一次 早好了", "acute_lumbar_sprain"),
])
def test_past_illnesses_said_plainly(words, concept):
    assert concept in {m.concept for m in understand(words, LEXICON).mentions}


@pytest.mark.parametrize(("words", "concept"), [
    ("膝盖疼 晚上躺着也疼", "night_pain_waking"),
    ("孩子嘴里疼 不爱吃", "poor_appetite"),
    ("走路有点乏 爬楼喘", "fatigue"),
])
def test_plain_words_for_night_pain_appetite_and_tiredness(words, concept):
    assert concept in _present(words)
