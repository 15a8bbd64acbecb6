"""Whether free text can be the answer to the question that was asked.

A patient's reply often answers something else. Categorical questions (突然还是慢慢) take only a
reply that fits one of their choices; open ones still need an answer of their kind (a body part
for where, a medicine for which drug, a situation for what makes it worse). A tapped option
always answers its question.
"""

from __future__ import annotations

import re

from conversations.knowledge import Question
from conversations.nlu import Understanding

CATEGORICAL = ("present_illness.onset", "present_illness.character", "present_illness.timing",
               "present_illness.course", "present_illness.extra.")
MEDICINE = re.compile(r"药|片|胶囊|颗粒|冲剂|膏|贴|丸|针|输液|吊瓶|喷")
SITUATION = re.compile(r"时|候|后|一.{0,6}就|吃|喝|走|站|坐|躺|活动|动|休息|歇|热敷|冷敷|按|揉"
                       r"|生气|着急|累|冷|热|凉|低头|弯腰|咳|饿|饱|晚上|早上|夜里|白天|天气|下雨"
                       r"|月经|劳|爬|上楼|睡|用力|说话|吞|咽|抬|弯|蹲|起")
YES_NO = re.compile(r"有没有|是不是|是否|会不会|吗[？?]?$|能不能")
# A history question takes an answer about its own topic: a term of its kind or one of these
# words. 昨晚又喝了 to 做过手术吗 is no operation, 跑长途 to 输过血吗 no transfusion.
HISTORY_TOPIC = {
    "past.chronic_diseases": (("chronic_diseases", "diseases", "infectious_diseases"),
                              re.compile(r"病|炎|高|低|癌|瘤|结石|增生|不好|问题")),
    "past.operations": (("operations",),
                        re.compile(r"手术|开刀|开过|动过刀|切|摘|割|置换|支架|搭桥|剖|缝|刀")),
    "past.trauma": (("diseases",),
                    re.compile(r"伤|摔|骨折|撞|车祸|砸|扭|崴|缝|断|烫|烧|咬|跌")),
    "past.transfusion": ((), re.compile(r"输血|输过|血")),
    "past.infectious_diseases": (("infectious_diseases", "diseases"),
                                 re.compile(r"肝|结核|痨|传染|梅毒|艾滋|hiv|疟|伤寒|阳")),
    "family.history": (("chronic_diseases", "diseases", "infectious_diseases"),
                       re.compile(r"爸|妈|父|母|爷|奶|外公|外婆|姥|哥|姐|弟|妹|家|亲|病|遗传")),
    "allergy.drugs": (("drugs",), re.compile(r"过敏|药|素|霉|头孢|针")),
    "allergy.foods": (("foods",), re.compile(r"过敏|吃|海鲜|鱼|虾|蟹|蛋|奶|花生|豆|果")),
    # 开始还以为是老碰冷水闹的 is no job: work is said with a workplace, a trade or a status
    "personal.occupation": ((), re.compile(
        r"上班|工作|干活|打工|务农|种地|种田|种菜|养殖|退休|学生|上学|读书|在读|读研|考研|年级"
        r"|初[一二三]|高[一二三]|大[一二三四]|研[一二三]|幼儿园|托班|家务|在家|带孩子|看孙子"
        r"|无业|没工作|待业|失业|下岗|个体|生意|买卖|老板|自由职业|公司|单位|厂|店|医院|学校"
        r"|工地|部队|市场|司机|师傅|老师|工人|农民|会计|护士|医生|律师|销售|保安|保洁|厨|服务员"
        r"|快递|外卖|网约车|出租|职员|公务员|干部|经理|主管|设计|编辑|记者|程序|工程师|技术"
        r"|教|当|干(?!咳|巴|燥|涩|净|呕)|(?<!不)做(?!过|了)|开(?:店|饭馆|车|出租|网约车|厂|公司"
        r"|超市|小卖部|馆|铺)|卖|跑|员|工|师|生")),
}


def option_or_words(question: Question | None, words: str) -> str:
    if question:
        for option in question.options:
            if option == words or (len(words) <= len(option) + 2 and option in words):
                return option
    return words


def fits_options(question: Question | None, answer: str) -> bool:
    """Whether free text can be the answer to a question with fixed choices: it shares two
    characters in a row with one of them (a typed 突然开始的 fits 突然发作). Open questions (no
    options, or an 其他 option) take any answer."""
    if question is None or not question.options \
            or any("其他" in o for o in question.options) \
            or not question.key.startswith(CATEGORICAL):
        return True
    text = re.sub(r"\s", "", answer)
    return any(option[i:i + 2] in text for option in question.options
               for i in range(max(len(option) - 1, 1)))


def fits_slot(key: str, intent: Understanding) -> bool:
    """Open questions still need an answer of their kind: where (a body part), which medicine
    (a drug or the word 药), what makes it worse or better (a situation, not 治好了 or 戒了),
    a history question something of its topic."""
    kinds = {m.kind for m in intent.mentions}
    if key == "present_illness.site":
        return "body_sites" in kinds
    if key == "present_illness.medications":
        return "drugs" in kinds or bool(MEDICINE.search(intent.text))
    if key in ("present_illness.aggravating", "present_illness.relieving"):
        return bool(SITUATION.search(intent.text))
    if key in HISTORY_TOPIC:
        term_kinds, words = HISTORY_TOPIC[key]
        return bool(kinds & set(term_kinds)) or bool(words.search(intent.text))
    return True


def tapped_options(question: Question, words: str) -> list[str]:
    """The question's options the message consists of (one tap, or several typed with 、)."""
    parts = [p for p in re.split(r"[、,，\s]+", words.strip()) if p]
    return parts if parts and all(p in question.options for p in parts) else []


def yes_no(question: Question | None) -> bool:
    return bool(question) and bool(YES_NO.search(question.ask if question else ""))
