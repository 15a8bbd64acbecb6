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
    (a drug or the word 药), what makes it worse or better (a situation, not 治好了 or 戒了)."""
    kinds = {m.kind for m in intent.mentions}
    if key == "present_illness.site":
        return "body_sites" in kinds
    if key == "present_illness.medications":
        return "drugs" in kinds or bool(MEDICINE.search(intent.text))
    if key in ("present_illness.aggravating", "present_illness.relieving"):
        return bool(SITUATION.search(intent.text))
    return True


def tapped_options(question: Question, words: str) -> list[str]:
    """The question's options the message consists of (one tap, or several typed with 、)."""
    parts = [p for p in re.split(r"[、,，\s]+", words.strip()) if p]
    return parts if parts and all(p in question.options for p in parts) else []


def yes_no(question: Question | None) -> bool:
    return bool(question) and bool(YES_NO.search(question.ask if question else ""))
