"""Red flags, sixth round (issue 9): emergencies in wordings from fresh blind sets stop the
conversation; their everyday look-alikes, calm interview answers and signs denied or long gone do
not; a wish to be gone gets the screening question."""

from __future__ import annotations

import pytest

from conversations.state import PatientContext
from tests.conversations.test_understanding import converse

ADULT = PatientContext(age_years=45, sex="female")
MOTHER_OF_TYPIST = PatientContext(age_years=66, sex="female")


@pytest.mark.parametrize("words", [
    "下巴那块疼 像牙疼 一上楼就疼 以前歇会就好 今天歇着也疼 还出汗",
    "早上打拳打到一半 胸前勒得紧 歇了半天也没松",
    "胃里闷胀 打嗝 吃了胃药没用 后来胳膊也酸了 出了好多汗",
    "我爸一天吃了三次华法林 每次两片 现在鼻子流血",
    "吵完架一下子打了六十个单位胰岛素",
    "孩子被跳绳勒住脖子了 已经解开了 现在嗓子哑",
    "右眼突然啥也看不见了 大概几分钟 后来又恢复了",
    "我哥胸口疼得往背上钻 左手摸着冰凉 摸不到脉",
    "怀孕35周 右边肋骨下面疼 恶心 血压160",
    "刚测出怀孕 还没去医院 现在小肚子一边疼 出冷汗",
    "孩子第一次吃腰果 嘴周围全红了 一直咳 声音哑哑的",
    "我妈的脚一下子变得冰凉 脚背发白 疼得厉害",
    "头里面好像有根筋崩了 一下子疼起来",
    "姥爷眼睛疼 眼睛红 说看东西像隔着毛玻璃",
    "室友吃了两整板安眠药 说头晕",
    "存折密码写在纸上了 该交代的都交代了",
    "江边那块我去看过了 晚上没人",
    "老鼠药我藏好了 不想拖累儿女",
    "脑子里有个声音叫我去死",
    "开车的时候想往护栏上撞",
    "上回拿煤气试过一次没成 这回把门窗关好了",
    "心绞痛以前半个月犯一次 这几天一天犯好几次 睡着觉也犯",
    "左边胳膊内侧酸胀 牵着下巴也疼 一动就加重",
    "坐了十几个小时火车 下车就喘 胸口一吸气就扎着疼 咳了口血痰",
    "吃了块蛋糕 浑身起风团 喉咙像塞了东西",
    "被流浪猫抓破了手 出血了",
    "孩子吐了一天 吐的是绿水 肚子胀",
    "生完孩子第五天 头疼 看东西模糊 血压150",
    "孙子翻出他爷爷的药盒 吃了几片降压药",
    "拔完牙流血一晚上了 咬纱布也止不住",
    "隔壁一股煤气味 敲门没人应",
    "被楼下邻居家的狗咬了小腿 咬出血了",
    "被不认识的狗咬了一口 流血了",
    "上个月被猫抓过 这两天怕水 一喝水就抽",
    "尿管堵了 一滴都不出",
    "他说有人谋划害我 他准备先下手",
    "我爸不说疼 就说心口难受 脸上一层汗",
    "奶奶今天说右边看不着东西 老撞右边门框",
    "我妈打电话来 说了半天我听不懂 词都是乱的",
    "左眼今天早上一下看不清了 中间缺了一块",
    "孩子打开了奶奶的药盒 不知道吃了几片降糖药",
])
def test_emergencies_said_in_other_words_stop_the_conversation(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert state.red_flag is not None and state.red_flag.level == "emergency", words


@pytest.mark.parametrize("words", [
    "吃了虾身上起了几个小包 有点痒 嗓子不紧 喘气也正常",
    "每天打十个单位胰岛素 想问问饭前还是饭后打",
    "上楼梯膝盖疼 歇一会儿就好了",
    "华法林每天一片 最近体检都正常",
    "哮喘好多年了 最近挺好 换季了想备点药",
    "狗舔了一下手 没破皮",
    "心绞痛好几年了 一直很稳定 想开点药",
    "坐长途车回来腿有点酸 别的没事",
])
def test_everyday_look_alikes_raise_no_alarm(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert state.red_flag is None, (words, state.red_flag and state.red_flag.rule_id)


def test_not_wanting_to_kill_oneself_raises_no_alarm():
    state, _ = converse("最近老睡不好 一个多月了", "不想自杀 就是担心", patient=ADULT)
    assert state.stage != "emergency"
    assert not (state.symptoms.get("suicidal_thoughts") and
                state.symptoms["suicidal_thoughts"].present)


@pytest.mark.parametrize("words", [
    "要是哪天出门被车撞了 我可能也觉得是解脱",
    "老说阎王爷咋还不来收我",
    "老伴走了以后 我就想跟他一起去算了",
])
def test_a_wish_to_be_gone_gets_the_screening_question(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert "suicidal_intent" in state.screened and state.stage != "emergency", words


@pytest.mark.parametrize("words", [
    "那颗牙以前补过 补的东西掉了一块",
    "是不是血压药吃多了",
    "嗓子两边肿 照镜子看有白点点",
    "小时候就有湿疹 还有哮喘 现在不怎么喘了",
    "早上起来下床头几步疼得遭不住",
])
def test_calm_interview_answers_do_not_stop_the_interview(words):
    state, _ = converse("两三个礼拜了", words, patient=ADULT)
    assert state.stage != "emergency", (words, state.red_flag and state.red_flag.rule_id)


def test_a_benign_explanation_in_one_message_is_not_undone_by_sudden_in_another():
    state, _ = converse("潮热出汗 睡不好", "大半年了 一天好几回 突然从胸口往上一股热 脸通红 一身汗",
                        patient=MOTHER_OF_TYPIST)
    assert state.stage != "emergency"


@pytest.mark.parametrize("words", [
    "我妈糊涂倒不糊涂 精神挺好 就是有点低烧",
    "孩子小时候抽过 热性惊厥 后来没再犯过",
])
def test_a_sign_denied_by_repeating_it_or_long_since_gone_raises_nothing(words):
    state, _ = converse(words, mode="triage", patient=ADULT)
    assert state.red_flag is None, (words, state.red_flag and state.red_flag.rule_id)
