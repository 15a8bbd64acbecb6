"""A language model may say an explanation more warmly; it may not change what it says.

The model gets only the explanation and its basis (test words and the value: no name, no
identifier) and is asked to rephrase. Its text is accepted only if every number, unit and
abbreviation in it is in the source, the source's judgement (偏高/偏低/正常/阳性/阴性) is kept
and none contradicted, no medical claim appears that the source did not make (a diagnosis, a
drug, a treatment, a reassurance), and it is short. Otherwise the deterministic text stands.
"""

from __future__ import annotations

import re

SYSTEM = ("你在医院帮老人看懂化验单。请把下面这段解释换成更口语、更温和的说法，给70岁的老人听。"
          "要求：不改任何数字和单位；偏高就说偏高，偏低就说偏低；不下诊断，不提任何药物和治疗，"
          "不说“没事”“不用看医生”；不超过三句话。只输出改写后的文字。")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LATIN = re.compile(r"[A-Za-zµμ][A-Za-z0-9µμ/^%.\-]*")
JUDGEMENTS = ("偏高", "偏低", "正常", "阳性", "阴性")
OPPOSITES = {"偏高": ("偏低",), "偏低": ("偏高",), "阳性": ("阴性",), "阴性": ("阳性",)}
CLAIMS = ("确诊", "诊断", "患有", "得了", "患上", "癌", "肿瘤", "恶性", "药", "治疗", "手术",
          "一定", "肯定", "没事", "没问题", "不用管", "不用看医生", "不需要就医", "放心")
MAX_LENGTH = 200


def user_message(text: str, basis: str) -> str:
    return f"解释：{text}\n依据：{basis}"


def checked(text: str, basis: str, candidate: str | None) -> str | None:
    """`candidate` if it says what `text` says (see module doc), else None."""
    if not candidate:
        return None
    candidate = candidate.strip().strip("“”\"")
    source = f"{text}\n{basis}"
    if not candidate or len(candidate) > min(MAX_LENGTH, 2 * len(text) + 40):
        return None
    if not set(_NUMBER.findall(candidate)) <= set(_NUMBER.findall(source)):
        return None
    if not {t.lower() for t in _LATIN.findall(candidate)} <= \
            {t.lower() for t in _LATIN.findall(source)}:
        return None
    for word in JUDGEMENTS:
        if word in text and word not in candidate:
            return None
        if word in candidate and word not in text:
            return None
        if word in text and any(o in candidate and o not in text
                                for o in OPPOSITES.get(word, ())):
            return None
    if any(_new_claim(claim, text, candidate) for claim in CLAIMS):
        return None
    return candidate


def _new_claim(claim: str, text: str, candidate: str) -> bool:
    """A claim word the source does not make in the same words (with the two characters
    before it: "某些降压药" in the source does not allow "补钾的药")."""
    start = candidate.find(claim)
    while start >= 0:
        if candidate[max(0, start - 2):start + len(claim)] not in text:
            return True
        start = candidate.find(claim, start + 1)
    return False
