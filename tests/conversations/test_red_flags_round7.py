"""Red flags, seventh round (issue 9): emergencies told by sign rather than by name, typed with
phone slips (凶口, 头云, 出汉) or in Cantonese words, stop the conversation; their look-alikes
do not; more ways of wishing to be gone get the screening question."""

from __future__ import annotations

import pytest

from conversations.state import PatientContext
from tests.conversations.test_understanding import converse

ADULT = PatientContext(age_years=58, sex="male")
TODDLER = PatientContext(age_years=1, sex="female", age_months=15)
NEWBORN = PatientContext(age_years=0, sex="male", age_months=1)
PREGNANT = PatientContext(age_years=29, sex="female", pregnant=True)


@pytest.mark.parametrize("words", [
    "凶口闷得慌 一身冷汉",  # phone slips for 胸口 and 冷汗
    "黑便两天了 头云 站不住",
    "胸口疼 连着左边膀子也疼",
    "正在疼 扯着下巴疼",
    "这几天胸口夜里疼醒两回",
    "后背像刀割一样 后来挪到肚子上了",
    "髋关节换完半个月 小腿肿了 今天上楼憋得喘不上气",
    "吃了一块蛋糕 嗓子发紧 说话声音都变了",
    "孩子噎住了 嘴唇都发紫了",
    "哮喘犯了 吸了三下药 还是喘不上来",
    "大便全是血 拉了两回 腿软站不住",
    "肚子右下按下去 一松手更疼",
    "打磨的时候铁屑崩进眼睛了 睁不开",
    "打扫卫生 眼睛溅进了消毒液 火辣辣的疼",
    "半夜抽了一回 咬破了舌头",
    "指尖血糖测了2.8 手抖",
    "吃格列齐特的 早饭没吃 现在心慌出虚汗",
    "脾切除好几年 今天发高烧打寒战",
    "我爸透析的管子那流脓了 还发抖",
    "我妈腿上花花的 一块一块的 叫不太醒",
    "手碰到插座 电了一下 手指头发黑",
    "热水袋烫的 脚背一块发白 不怎么疼",
    "我就在江边",
    "药已经数好了 放在床头",
    "有个声音一直让我去死",
    "两条腿一下子冰凉 白得吓人",
    "腰疼 两条腿都麻 大便拉裤子了都不知道",
    "糖尿病 脚趾烂了 流脓 今天发冷发抖",
    "大爷一上午一滴尿都尿不出来 小肚子胀得硬",
    "被猴子抓破了手",
    "屋里烧着炉子 头懵 腿软",
    "肾衰 又吃了补钾药 心跳只有四十多",
    "眼睛胀疼 看路灯有彩虹圈",
    "我哥停了精神病的药 在街上跟人打架",
    "脸麻 嘴麻 左手也麻 一下子同时来的",
    "游泳时头像炸开了一样",
    "喘 喘 走不动了",
    "咯血 一口一口的 满嘴都是",
    "游戏账号都送人了 银行卡密码也告诉我姐了",
    "炭买好了 车库门关上就行",
    "注销了所有账号 问最后一个问题",
    "我想说钥匙 说出来是药水 自己都吓一跳",
    "胸口发紧 这礼拜开始的 今天躺着也发紧",
    "胸口闷 最近睡觉都会憋醒",
    "家里心电图贴显示st抬高 胸口有点闷",
    "吃了头孢 嘴唇肿了 舌头也胀",
    "同桌突然抓着脖子 一声不出",
    "工友眼睛溅进了石灰水 一直喊看不见",
    "白内障做完第二天 眼睛越来越疼 越来越看不清",
    "老人抽了快十分钟了 还没停",
    "hcg两千多 b超说子宫里是空的 肚子越来越疼",
    "人刚从河里捞上来 不喘气",
    "搬货闪了腰 会阴那块麻 尿尿没感觉",
    "我哥双相 停药一个礼拜 三天没怎么睡 半夜出门乱跑",
    "疼得直冒汗 例假推迟了十天",
    "胸口发紧 这周开始的 以前从来没有过 今天坐着也发紧",
    "我妈做完白内障第二天 眼睛越来越疼",
    "病人家属在候诊区抽了快十分钟了 还没停",
])
def test_emergencies_told_by_sign_stop_the_conversation(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert state.red_flag is not None and state.red_flag.level == "emergency", words


@pytest.mark.parametrize(("patient", "words", "rule"), [
    (TODDLER, "细路食咗虾 而家成身红 唔停咳 嘴唇肿", None),  # Cantonese, read as Mandarin
    (TODDLER, "孩子吐了三回 吐的都是绿的", "bilious_vomiting_young_child"),
    (NEWBORN, "宝宝体温35.2 不怎么吃奶", "young_infant_cold"),
])
def test_emergencies_of_young_children(patient, words, rule):
    state, _ = converse(words, mode="triage", patient=patient)
    assert state.red_flag is not None and state.red_flag.level == "emergency", words
    assert rule is None or state.red_flag.rule_id == rule


@pytest.mark.parametrize(("patient", "words"), [
    (PatientContext(age_years=12, sex="female"), "吐了一回 吐的是绿的 吐完就好了"),
    (ADULT, "量了一下体温35.8 有点低 没别的不舒服"),
])
def test_the_same_signs_past_the_ages_they_are_set_for_raise_nothing(patient, words):
    state, _ = converse(words, mode="triage", patient=patient)
    assert state.red_flag is None, (words, state.red_flag and state.red_flag.rule_id)


def test_fewer_movements_late_in_pregnancy_is_an_emergency_unless_counted_well_again():
    state, _ = converse("怀孕36周 今天宝宝动得少了", mode="triage", patient=PREGNANT)
    assert state.red_flag is not None and state.red_flag.level == "emergency"
    state, _ = converse("孕33周 昨天宝宝动得少了点 后来数了一小时动了十下 今天动得挺好",
                        mode="triage", patient=PREGNANT)
    assert state.red_flag is None, state.red_flag and state.red_flag.rule_id


@pytest.mark.parametrize("words", [
    "以前心梗时是胸口闷出冷汗 现在一点都没有 想问能不能坐飞机",
    "运动员 心跳一直四十多",
    "我在江边钓鱼 被虫子咬了个包",
    "前年脾切了 现在好好的 想打疫苗",
    "刷牙牙龈出血 吐了口血水",
    "以前划过手 现在早不划了",
    "前年中过一次风 现在左手还有点不灵活 想问问康复",
    "我爷爷痴呆好多年了 今天跟平时一样糊涂 饭吃得香",
    "打羽毛球扭了一下手腕 肿了 拿不住拍子",
    "胸口撕裂样的疼倒是没有 就是肩膀酸",
    "吃了铋剂 大便是黑的 头晕是没有的",
    "笑得我肚子都抽了",
    "喝了半杯隔夜茶 会不会中毒",
    "我朋友前几年割过腕 现在挺好的 我想问怎么陪她",
    "前天被狗咬了 当天就打了狂犬疫苗 第二针啥时候打",
    "一氧化碳报警器响了 是电池没电了 换了就好 家里人都没事",
    "透析的 昨天钾6.7 今天复查钾4.6 没不舒服",
    "我妈摔了磕到头 吃着华法林 昨天拍了ct没出血 留观一晚今天接回家了",
    "右手每天半夜麻 医生说是腕管综合征",
    "隐形眼镜掉了一片 一只眼看不清",
    "头要裂开了 今天加了一天班",
    "打篮球被撞了一下胸口 差点吐血 现在不疼了",
])
def test_look_alikes_raise_no_alarm(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert state.red_flag is None, (words, state.red_flag and state.red_flag.rule_id)


@pytest.mark.parametrize("words", [
    "有时候希望自己就这么消失",
    "我死了也没人在乎",
    "老觉得人没了就不用烦了",
    "死了比活着轻松多了",
    "得个急病走了倒也省事",
    "开车时想 要是撞了就不用上班了",
    "世界上没有我也挺好的",
    "每天醒来都想 为啥还要醒",
])
def test_more_ways_of_wishing_to_be_gone_get_the_screening_question(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert "suicidal_intent" in state.screened and state.stage != "emergency", words


def test_period_pain_however_hard_is_no_acute_abdomen_but_a_late_period_is():
    girl = PatientContext(age_years=16, sex="female")
    state, _ = converse("来月经肚子疼得在床上打滚 每次头一天最厉害", mode="triage", patient=girl)
    assert state.red_flag is None, state.red_flag and state.red_flag.rule_id
    state, _ = converse("例假推迟了半个月 肚子疼得在床上打滚", mode="triage", patient=girl)
    assert state.red_flag is not None and state.red_flag.level == "emergency"
