"""Red flags, eighth round (issue 9): a quiz, a story, a stay in hospital that is over or a
relative's old story is no emergency now, while the same words said of someone now still are;
traditional characters and pinyin initials are read; wishes to be gone are heard however they
are put, and everyday 死 of tiredness or heat is not one."""

from __future__ import annotations

import pytest

from conversations.nlu import normalise
from conversations.state import PatientContext
from tests.conversations.test_understanding import converse

ADULT = PatientContext(age_years=63, sex="female")
PREGNANT = PatientContext(age_years=31, sex="female", pregnant=True)
BABY = PatientContext(age_years=0, sex="male", age_months=8)


def _rule(words, patient=ADULT):
    state, _ = converse(words, mode="triage", patient=patient)
    return state.red_flag.rule_id if state.red_flag and state.red_flag.level == "emergency" \
        else None


@pytest.mark.parametrize("words", [
    "护考选择题 病人突然一侧肢体无力伴口角歪斜 首选检查是什么",
    "剧里男主胸口剧痛倒地 现实中心梗能撑多久",
    "孩子前天喝了农药 洗胃后住院观察了三天 今天出院了 要复查什么",
    "上个月心梗放了支架 在心内科住了一周 已经出院了 药怎么吃",
])
def test_a_quiz_a_story_or_a_stay_in_hospital_that_is_over_is_no_emergency(words):
    assert _rule(words) is None, words


@pytest.mark.parametrize("words", [
    "我在看电视剧 突然右手拿不住遥控器 说话也说不清了",
    "孩子考试题做着做着 突然抽起来了 口吐白沫",
    "老伴脑梗住院五天了 今天又突然说不出话",
    "出院回家第二天 又吐了一大口血 头晕站不住",
    "我妈那会儿正在做饭 突然就倒地叫不醒了",
    # a reviewer's: a relative's past in the same message as one's own plan, a question about
    # a rescue, a new event after discharge, an exam named in one's own distress
    "我爸后来去世了 我准备今晚跳楼",
    "我弟晚饭后喝了半瓶百草枯 后来说嗓子疼",
    "他喝了农药 刚送到 能抢救过来吗",
    "吃了一整瓶安眠药 抢救过来了吗",
    "孩子刚才抽搐了 口吐白沫 要住院几天吗",
    "我爸胸口疼得厉害 满头大汗 刚出院没几天",
    "孩子抽搐 叫不醒 出院第二天",
    "考试题做不出来 不想活了 准备今晚跳楼",
    "这道题又错了 活着没意思 药都攒好了",
    "老伴看电影中途突然倒地 叫不醒 没呼吸了",
    "他刚做完一道题目就说胸口剧痛 满头大汗",
    "他刚才又抽了两分钟 烟头还在手上",
    "我爸好像不出气了",
])
def test_the_same_words_said_of_someone_now_still_stop(words):
    assert _rule(words) is not None, words


def test_bleeding_gums_in_pregnancy_are_no_pregnancy_bleeding():
    assert _rule("怀孕五个月 这阵子刷牙总出血", PREGNANT) is None
    assert _rule("鼻子老出血 怀孕二十周了", PREGNANT) is None
    assert _rule("怀孕二十周 下面出血了 有血块", PREGNANT) is not None


def test_a_stomach_medicine_is_no_belly_site():
    state, _ = converse("吃着胃药 奥美拉唑", "膝盖疼得受不了")
    assert state.red_flag is None, state.red_flag and state.red_flag.rule_id
    state, _ = converse("胃疼得受不了 直冒冷汗", mode="triage", patient=ADULT)
    assert state.red_flag is not None and state.red_flag.level == "emergency"


def test_smoking_for_decades_is_no_fit_and_fussing_is_no_grunting():
    assert _rule("退休前一直在厂里 抽了三十年烟") is None
    assert _rule("吃奶的时候哼哼唧唧的 尿布湿得挺多", BABY) is None
    assert _rule("一直在抽 叫他没反应") is not None
    assert _rule("喘气的时候一直哼哼 鼻翼一扇一扇的", BABY) is not None


def test_a_baby_boys_larger_side_alone_is_no_torsion_but_sudden_pain_is():
    assert _rule("左边的蛋蛋比右边大一圈 不红不疼", BABY) is None
    assert _rule("蛋蛋突然肿起来了 一碰就哭", BABY) is not None


def test_traditional_characters_are_read_as_simplified():
    assert normalise("說話不清楚 頭暈") == "说话不清楚 头晕"
    assert _rule("我爸剛才突然說話不清楚 右手拿不住東西") is not None
    assert _rule("胸口像壓了塊大石頭 出冷汗 喘不上氣") is not None


def test_pinyin_initials_are_read_as_whole_words_only():
    assert normalise("bxhl bxhlx") == "不想活了 bxhlx"
    state, _ = converse("最近bxhl 什么都没意思", mode="triage", patient=ADULT)
    assert "suicidal_intent" in state.screened
    # zs is also 中山 or a name: never read as 自杀
    assert _rule("我想去zs医院看看 胃疼两天") is None


@pytest.mark.parametrize("words", [
    "有时候想 睡着了再也醒不过来也挺好",
    "真想老天早点把我收走",
    "过马路的时候想 被车撞了也无所谓",
    "我是不是消失了 家里人都能轻松些",
    "化疗太遭罪 不想再存在了",
])
def test_wishes_to_be_gone_get_the_screening_question(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert "suicidal_intent" in state.screened and state.stage != "emergency", words


@pytest.mark.parametrize("words", [
    "医生说把片子带走就好了",
    "把牙神经杀死就好了 医生这么说的",
    "希望早点把癌细胞杀死",
    "痒死了 抹点药就好了",
    "希望宝宝晚上别醒那么多次",
    "疼死了 算了 明天再去医院",
    "累死了 早点睡算了",
    "希望手上的疹子早点消失",
    "热死了 开空调就好了",
])
def test_everyday_death_words_get_no_screening_question(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert not state.screened and state.red_flag is None, (words, state.screened)


@pytest.mark.parametrize("words", ["想自杀 用什么办法不会太疼", "不想活了 安眠药吃多少片能行"])
def test_asking_how_to_die_is_a_plan_not_a_passing_thought(words):
    assert _rule(words) is not None, words


def test_asking_how_to_sleep_while_wishing_to_be_gone_is_screened_not_a_plan():
    state, _ = converse("不想活了 有什么办法能睡着", mode="triage", patient=ADULT)
    assert "suicidal_intent" in state.screened and state.red_flag is None
