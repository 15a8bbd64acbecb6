"""Who types for a child. A parent's own illness (我痛风, 我小时候哮喘) belongs in the child's
family history, under the parent's name when the conversation shows which parent is typing
(孩子他爸 said by the mother, 她妈 by the father); it is never the child's own past history."""

from __future__ import annotations

import re

_MOTHER_TYPING = re.compile(r"孩子他爸|孩子爸|娃他爸|他爸|她爸|我老公|我男人|孩子的?爸爸"
                            r"|我是(?:他|她|孩子|宝宝)的?(?:妈|妈妈|母亲)|当妈的")
_FATHER_TYPING = re.compile(r"孩子他妈|孩子妈|娃他妈|他妈|她妈|我老婆|我媳妇|孩子的?妈妈"
                            r"|我是(?:他|她|孩子|宝宝)的?(?:爸|爸爸|父亲)|当爸的")
_SPEAKERS_OWN = re.compile(r"(?:^|[，,。；;\s和跟])(?:我|俺)(?:自己|本人)?"
                           r"(?:也|小时候|以前|年轻时候?|从小)?(?:就)?(?:有|得过|患过|是|也有)?$")


def typing_parent(messages: list[str]) -> str | None:
    """母亲 or 父亲 when what was typed shows it, else None (never guessed)."""
    said = " ".join(messages)
    mother, father = bool(_MOTHER_TYPING.search(said)), bool(_FATHER_TYPING.search(said))
    return "母亲" if mother and not father else "父亲" if father and not mother else None


def speakers_own(text: str, start: int) -> bool:
    """我痛风 / 我小时候哮喘: the illness at `start` is the typist's own."""
    return _SPEAKERS_OWN.search(text[max(start - 8, 0):start]) is not None


# Whose relative a kinship word names, from the word just before it: 我妈 is the typist's mother,
# 她妈 / 孩子他爸 the patient's; 我老公他哥 the typist's husband's brother.
_SPOUSES = r"(?:老公|丈夫|爱人|男人|老婆|媳妇|妻子)"
_HAS_ONE = r"(?:的|有(?:个|一个|俩|两个|几个)?)?(?:大|二|三|四|小)?$"  # 她有个弟弟 / 他大哥
_OF_SPOUSE = re.compile(r"(?:我|俺)" + _SPOUSES + r"(?:他|她)?的?$")
_OF_TYPIST = re.compile(r"(?:我|俺|咱)(?:们|家|们家)?" + _HAS_ONE)
_OF_PATIENT = re.compile(r"(?:他|她|它|孩子|小孩|娃|宝宝|宝贝|患者|病人|老人家?)(?:们|家)?"
                         + _HAS_ONE)


def possessor(text: str, start: int) -> str:
    """typist, spouse (the typist's), patient, or '' when the word stands alone (我舅舅 / 她哥)."""
    before = text[max(start - 8, 0):start]
    if _OF_SPOUSE.search(before):
        return "spouse"
    if _OF_PATIENT.search(before):
        return "patient"
    return "typist" if _OF_TYPIST.search(before) else ""


# Who the patient is to the person typing, from how the patient was first named (帮我妈问的,
# 我老公胃疼, 孩子发烧): the key of `_TO_PATIENT`.
_PATIENT_WORDS = {
    "母亲": "妈妈 老妈 母亲 妈 俺娘 老娘 娘", "父亲": "爸爸 老爸 父亲 爸 俺爹 老爹 爹",
    "祖母": "奶奶 祖母", "祖父": "爷爷 祖父", "外祖母": "外婆 姥姥", "外祖父": "外公 姥爷",
    "配偶": "老公 丈夫 爱人 老伴 老婆 媳妇 妻子",
    "子女": "儿子 女儿 闺女 孩子 宝宝 宝贝 娃 小孩 孩",
    "孙辈": "孙子 孙女", "外孙辈": "外孙 外孙女", "兄弟姐妹": "哥哥 姐姐 弟弟 妹妹 哥 姐 弟 妹",
    "公婆": "婆婆 公公",
}
_PATIENT_KIN = {word: key for key, words in _PATIENT_WORDS.items() for word in words.split()}
_NAMED_PATIENT = re.compile(
    r"(?:(?:帮|替|给|是)?(?:我|俺)(?:们)?家?的?|^|[\s，,。])(?P<kin>"
    + "|".join(sorted(_PATIENT_KIN, key=len, reverse=True)) + ")")

_BLOOD = ("父亲", "母亲", "哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "姐妹", "兄弟姐妹", "儿子",
          "女儿", "子女")
# A relative of the typist, as the patient's relative; None: related by marriage only (not
# recorded in family history). Rows: who the patient is to the typist.
_TO_PATIENT: dict[str, dict[str, str | None]] = {
    "母亲": {"外祖父": "父亲", "外祖母": "母亲", "舅舅": "兄弟", "姨妈": "姐妹", "哥哥": "儿子",
           "弟弟": "儿子", "兄弟": "儿子", "姐姐": "女儿", "妹妹": "女儿", "姐妹": "女儿",
           "兄弟姐妹": "子女", "父亲": None, "祖父": None, "祖母": None, "伯父": None,
           "叔叔": None, "姑姑": None},
    "父亲": {"祖父": "父亲", "祖母": "母亲", "伯父": "哥哥", "叔叔": "弟弟", "姑姑": "姐妹",
           "哥哥": "儿子", "弟弟": "儿子", "兄弟": "儿子", "姐姐": "女儿", "妹妹": "女儿",
           "姐妹": "女儿", "兄弟姐妹": "子女", "母亲": None, "外祖父": None, "外祖母": None,
           "舅舅": None, "姨妈": None},
    "兄弟姐妹": {},  # brothers and sisters share their relatives
    "配偶": {name: None for name in ("父亲", "母亲", "祖父", "祖母", "外祖父", "外祖母", "哥哥",
                                   "姐姐", "弟弟", "妹妹", "兄弟", "姐妹", "兄弟姐妹", "舅舅",
                                   "叔叔", "伯父", "姑姑", "姨妈")},
    "公婆": {name: None for name in _BLOOD if name not in ("儿子", "女儿", "子女")},
}
_GRANDPARENT = {"祖父": ("父亲", "伯父", "叔叔", "姑姑"), "祖母": ("父亲", "伯父", "叔叔", "姑姑"),
                "外祖父": ("母亲", "舅舅", "姨妈"), "外祖母": ("母亲", "舅舅", "姨妈")}
_AS_CHILD = {"父亲": "儿子", "伯父": "儿子", "叔叔": "儿子", "舅舅": "儿子", "母亲": "女儿",
             "姑姑": "女儿", "姨妈": "女儿"}
# The typist is a parent of the patient: the typist's relatives by which parent types.
_OF_PARENT = {
    "母亲": {"父亲": "外祖父", "母亲": "外祖母", "哥哥": "舅舅", "弟弟": "舅舅", "兄弟": "舅舅",
           "姐姐": "姨妈", "妹妹": "姨妈", "姐妹": "姨妈"},
    "父亲": {"父亲": "祖父", "母亲": "祖母", "哥哥": "伯父", "弟弟": "叔叔", "兄弟": "伯父或叔叔",
           "姐姐": "姑姑", "妹妹": "姑姑", "姐妹": "姑姑"},
}
_SPOUSE_OF_PARENT = {"母亲": "父亲", "父亲": "母亲"}


def patient_is(text: str) -> str | None:
    """Who the patient is to the typist, from the message that said a relative is ill."""
    match = _NAMED_PATIENT.search(text)
    return _PATIENT_KIN[match["kin"]] if match else None


_PATIENT_AS_NAMED = {"子女": ("儿子", "女儿", "子女"),
                     "兄弟姐妹": ("哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "姐妹")}


def is_the_patient(relative: str, patient: str | None) -> bool:
    """我妈, said after 帮我妈问的, is the patient herself, not family history."""
    return patient is not None and relative in _PATIENT_AS_NAMED.get(patient, (patient,))


def _parent_side(name: str, typist: str | None) -> str | None:
    if typist in _OF_PARENT:
        return _OF_PARENT[typist].get(name)
    mother, father = _OF_PARENT["母亲"].get(name), _OF_PARENT["父亲"].get(name)
    return f"{father}或{mother}" if mother and father else None


def as_patients_relative(name: str, whose: str, patient: str | None,
                         typist: str | None) -> str | None:
    """A relative named by the typist (我妈, 我老公他哥), as the patient's relative; None when
    only related by marriage. `patient`: who the patient is to the typist; `typist`: 母亲 or
    父亲 when a parent types for a child and it shows."""
    if whose == "patient" or patient is None:
        return name
    if whose == "spouse":  # the other parent's relatives, when a parent types for a child
        if patient != "子女":
            return None if patient in ("母亲", "父亲") else name
        other = _SPOUSE_OF_PARENT.get(typist or "")
        return _OF_PARENT[other].get(name, name) if other else _parent_side(name, None) or name
    if patient == "子女":
        return _parent_side(name, typist) or name
    if patient in _GRANDPARENT:
        return _AS_CHILD.get(name) if name in _GRANDPARENT[patient] else (
            None if name in _AS_CHILD else name)
    return _TO_PATIENT.get(patient, {}).get(name, name)
