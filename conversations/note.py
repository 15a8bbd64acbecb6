"""The pre-visit note (预问诊记录): structured slots plus a narrative in 病历书写 style.

Every slot keeps the patient's own words and the turn it came from, so the doctor can check the
narrative against what was actually said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from conversations.knowledge import REQUESTS, Knowledge
from conversations.state import DialogueState, Fact

SECTION_TITLES = {
    "chief_complaint": "主诉", "present_illness": "现病史", "past": "既往史",
    "personal": "个人史", "family": "家族史", "allergy": "过敏史",
    "obstetric": "月经婚育史", "paediatric": "出生及生长发育史",
}
LIST_SLOTS = {
    "present_illness.associated": "symptoms", "present_illness.negatives": "symptoms",
    "present_illness.resolved": "symptoms", "past.symptoms": "symptoms",
    "past.chronic_diseases": "chronic_diseases",
    "past.operations": "operations", "past.infectious_diseases": "infectious_diseases",
    "allergy.drugs": "drugs", "allergy.foods": "foods", "allergy.others": "other_allergens",
    "present_illness.medications": "drugs",
    "past.medications": "drugs", "past.diseases": "diseases",
}
NONE_WORDS = {"无", "没有", "否认", "都没有"}
UNSAID = (None, "", "跳过", "未答")
DENIED_HABITS = {"不吸烟", "不饮酒"}
_BRACKETED = re.compile(r"（(.+?)）$")
_CHECK_UP = re.compile(r"体检|查体")
_TESTED = re.compile(r"查出|检查|[Bb]超|彩超|CT|ct|核磁|化验|报告|片子|拍片|验血|抽血|单子")
_REVIEW = re.compile(r"复查|复诊|随访")


@dataclass
class NoteSlot:
    key: str
    label: str
    value: Any
    display: str
    words: str
    turn: int
    source: str
    uncertain: bool = False


@dataclass
class PreVisitNote:
    """一诉五史 as structured slots (for the EMR) and as narrative text (for the doctor)."""

    slots: list[NoteSlot] = field(default_factory=list)
    narrative: str = ""
    sections: dict[str, str] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        return next((slot.value for slot in self.slots if slot.key == key), None)


def format_duration(days: Any, approximate: bool = False) -> str:
    """约3天 / 2周 / 1.5年. Anything that is not a number of days (a slot saved by an older
    version as 不详, or a patient's words) is shown as it is: a note is never lost over it."""
    if days is None or isinstance(days, bool):
        return ""
    if not isinstance(days, int | float):
        return str(days)
    if days != days or days < 0 or days > 36500:  # NaN, negative, or over a century
        return ""
    prefix = "约" if approximate else ""
    if days < 1:
        return f"{prefix}{max(1, round(days * 24))}小时"
    if days < 14:
        value = round(days, 1)
        return f"{prefix}{int(value) if value == int(value) else value}天"
    if days < 60:
        return f"{prefix}{round(days / 7)}周"
    if days < 365:
        return f"{prefix}{round(days / 30)}个月"
    years = round(days / 365, 1)
    return f"{prefix}{int(years) if years == int(years) else years}年"


_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
       "十": 10}
_UNIT = r"(天|周|星期|礼拜|个月|月|年|小时)"
_UNIT_NAME = {"星期": "周", "礼拜": "周", "个月": "个月", "月": "个月"}


def _digit(cn: str) -> str:
    return str(_CN[cn]) if cn in _CN else cn


def approximate_duration(words: str) -> str | None:
    """A vague length in 病历 style from the patient's words: 四五天 → 4～5天, 一个多月 → 1个月余,
    十来天 → 10余天, 大半年 → 半年余, 好几年 → 数年. None when the words are not one of these."""
    text = re.sub(r"^(大概|大约|差不多|估计|有|得有|快)|[了吧啊呢左右]+$", "", words.strip())
    if m := re.fullmatch(rf"([一二两三四五六七八九])([二两三四五六七八九十]){_UNIT}", text):
        unit = _UNIT_NAME.get(m[3], m[3])
        return f"{_digit(m[1])}～{_digit(m[2])}{unit}"
    if m := re.fullmatch(rf"([一二两三四五六七八九十]|[0-9]+)(个)?多{_UNIT}", text):
        unit = _UNIT_NAME.get(m[3], m[3])
        return f"{_digit(m[1])}{unit}余"
    if m := re.fullmatch(rf"(十|[0-9]+)来{_UNIT}", text):
        return f"{_digit(m[1])}余{_UNIT_NAME.get(m[2], m[2])}"
    for word, written in (("大前天", "3天"), ("前天", "2天"), ("昨", "1天"), ("今", "数小时")):
        if text.startswith(word):  # 昨天晚上开始的 → 1天, as a record counts days
            return written
    return {"大半年": "半年余", "半年多": "半年余", "好几年": "数年", "好多年": "数年",
            "好几天": "数天", "好几个月": "数月", "一年多": "1年余"}.get(text)


class NoteWriter:
    """Builds the note: slots labelled in 病历 words (never a key or a question's text) and a
    narrative in 病历书写 order."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge

    def names(self, kind: str, ids: list[Any]) -> list[str]:
        return [self.knowledge.lexicon.name(kind, concept_id) if isinstance(concept_id, str)
                else str(concept_id) for concept_id in ids]

    def complaint(self, fact: Fact) -> str:
        finding = self.finding(fact)
        return finding[0] if finding else self.names("symptoms", [fact.value])[0]

    def finding(self, fact: Fact) -> tuple[str, bool] | None:
        """A named finding as the record puts it (体检发现甲状腺结节), its short name taken from
        the classification's bracket, and whether the patient came to have it reviewed."""
        lexicon = self.knowledge.lexicon
        if not isinstance(fact.value, str) or fact.value in lexicon.concepts["symptoms"] \
                or fact.value not in lexicon.concepts["diseases"]:
            return None
        name = lexicon.name("diseases", fact.value)
        short = _BRACKETED.search(name)
        name = short.group(1) if short else name
        said = fact.words or ""
        found = "体检发现" if _CHECK_UP.search(said) else "发现" if _TESTED.search(said) else ""
        return found + name, bool(_REVIEW.search(said))

    def display(self, fact: Fact) -> str:
        """The slot as the doctor reads it; any value, however odd, gives text, never an error
        (a slot stored by an older version must not stop a note)."""
        kind = LIST_SLOTS.get(fact.key)
        if fact.key == "chief_complaint.symptom":
            return self.complaint(fact) if fact.value is not None else ""
        if fact.key == "chief_complaint.duration":
            return (approximate_duration(fact.words) if fact.uncertain else None) \
                or format_duration(fact.value, fact.uncertain)
        if fact.key == "present_illness.severity" and isinstance(fact.value, int):
            return f"{fact.value}/10"
        if fact.key == "allergy.reactions" and isinstance(fact.value, dict):
            return "；".join(f"{self.knowledge.lexicon.name(_allergen_kind(self, k), k)}：{v}"
                            for k, v in fact.value.items())
        if isinstance(fact.value, dict):
            return "；".join(f"{k}：{v}" for k, v in fact.value.items())
        if kind and isinstance(fact.value, list):
            return "、".join(self.names(kind, fact.value)) or "无"
        if isinstance(fact.value, list):
            return "、".join(map(str, fact.value)) or "无"
        return "" if fact.value is None else str(fact.value)

    def build(self, state: DialogueState) -> PreVisitNote:
        facts = dict(state.facts)
        facts.update(_symptom_facts(state))
        slots = [
            NoteSlot(key=fact.key, label=self.knowledge.label(fact.key), value=fact.value,
                     display=self.display(fact), words=fact.words, turn=fact.turn,
                     source=fact.source, uncertain=fact.uncertain)
            for fact in sorted(facts.values(), key=lambda f: (f.turn, f.key))
        ]
        sections = _Narrative(self, state).sections()
        narrative = "\n".join(f"{SECTION_TITLES[name]}：{text}" for name, text in sections.items())
        return PreVisitNote(slots=slots, narrative=narrative, sections=sections)


def _allergen_kind(writer: NoteWriter, concept: str) -> str:
    concepts = writer.knowledge.lexicon.concepts
    return next((kind for kind in ("drugs", "other_allergens") if concept in concepts[kind]),
                "foods")


def _symptom_facts(state: DialogueState) -> dict[str, Fact]:
    """Associated, resolved and denied symptoms, from every mention in the conversation."""
    chief = state.facts.get("chief_complaint.symptom")
    chief_id = chief.value if chief else None
    derived: dict[str, Fact] = {}
    groups = {
        "present_illness.associated": lambda s: s.present and not s.resolved and not s.history,
        "present_illness.resolved": lambda s: s.present and s.resolved and not s.history,
        "present_illness.negatives": lambda s: not s.present,
        "past.symptoms": lambda s: s.present and s.history,
    }
    for key, wanted in groups.items():
        items = [s for s in state.symptoms.values() if wanted(s) and s.concept != chief_id
                 and s.concept not in REQUESTS]
        if items:
            derived[key] = Fact(key=key, value=[s.concept for s in items],
                                words="；".join(dict.fromkeys(s.words for s in items)),
                                turn=max(s.turn for s in items))
        elif key in state.facts:
            derived[key] = state.facts[key]
    past = _past_diseases(state)
    if past:
        derived[past.key] = past
    return derived


def _past_diseases(state: DialogueState) -> Fact | None:
    """Named diseases said of the past (扁桃体以前老发炎) that no past-history list holds yet."""
    listed = "；".join(str(f.words) for k, f in state.facts.items() if k.startswith("past."))
    items = [d for d in state.diseases.values() if d.present and d.history and not d.uncertain
             and d.words not in listed]
    if not items:
        return None
    return Fact(key="past.diseases", value=[d.concept for d in items],
                words="；".join(dict.fromkeys(d.words for d in items)),
                turn=max(d.turn for d in items))


class _Narrative:
    """Renders facts in the conventional order and phrasing of an outpatient record."""

    def __init__(self, writer: NoteWriter, state: DialogueState) -> None:
        self.writer, self.state = writer, state
        self.derived = _symptom_facts(state)

    def text(self, key: str) -> str | None:
        fact = self.state.facts.get(key) or self.derived.get(key)
        if fact is None or fact.value in UNSAID or fact.value == []:
            return None if fact is None or fact.value != [] else "无"
        return self.writer.display(fact) or None

    def symptoms(self, key: str) -> str:
        fact = self.derived.get(key)
        return "、".join(self.writer.names("symptoms", fact.value)) if fact else ""

    def sections(self) -> dict[str, str]:
        parts = {
            "chief_complaint": self.chief_complaint(),
            "present_illness": self.present_illness(),
            "past": self.past(),
            "personal": self.simple("personal", ["smoking", "alcohol", "occupation",
                                                 "exposure", "travel"]),
            "family": self.family(),
            "allergy": self.allergy(),
            "obstetric": self.simple("obstetric", ["last_menstrual_period", "menstrual",
                                                   "pregnant", "marital_reproductive"]),
            "paediatric": self.simple("paediatric", ["birth", "feeding", "vaccination",
                                                     "growth"]),
        }
        return {name: text for name, text in parts.items() if text}

    def chief_complaint(self) -> str:
        symptom = self.text("chief_complaint.symptom")
        if not symptom:
            return ""
        finding = self.writer.finding(self.state.facts["chief_complaint.symptom"])
        review = "，要求复查" if finding and finding[1] else ""
        duration = self.text("chief_complaint.duration") or ""
        if finding and duration and not symptom.startswith(("体检发现", "发现")):
            symptom = "发现" + symptom  # 发现心房纤颤2年: how long it has been known
        return f"{symptom}{duration}{review}。"

    def present_illness(self) -> str:
        symptom = self.text("chief_complaint.symptom")
        if not symptom:
            return ""
        duration = self.text("chief_complaint.duration")
        onset = self.text("present_illness.onset")
        opening = f"患者{duration + '前' if duration else ''}{onset + '，' if onset else ''}"
        finding = self.writer.finding(self.state.facts["chief_complaint.symptom"])
        if finding:  # 患者2年前发现心房纤颤，现来复查
            found = "" if finding[0].startswith(("体检发现", "发现")) else "发现"
            sentences = [f"{opening}{found}{symptom}" + ("，现来复查" if finding[1] else "")]
        else:
            sentences = [f"{opening}出现{symptom}"]
        for key, template in (("site", "部位：{}"), ("character", "性质：{}"),
                              ("severity", "疼痛评分{}分"), ("timing", "{}"),
                              ("aggravating", "加重因素：{}"), ("relieving", "缓解因素：{}")):
            value = self.text(f"present_illness.{key}")
            if key == "severity" and not isinstance(self.state.facts[
                    "present_illness.severity"].value if value else None, int):
                continue  # only a score the patient gave is written as one
            if value == "不详" and template == "{}":  # never a bare 不详 without its label
                sentences.append(f"{self.writer.knowledge.label(f'present_illness.{key}')}不详")
            elif value and value not in NONE_WORDS:
                sentences.append(template.format(value))
        for key in sorted(self.state.facts):
            value = self.text(key) if key.startswith("present_illness.extra.") else None
            if value:
                sentences.append(f"{self.writer.knowledge.label(key)}：{value}")
        text = "，".join(sentences) + "。"
        if self.state.facts.get("present_illness.informant"):
            text = "（病史由家属代述）" + text
        for key, template in (("present_illness.associated", "伴{}。"),
                              ("present_illness.resolved", "曾有{}，现已缓解。"),
                              ("present_illness.negatives", "否认{}。")):
            names = self.symptoms(key)
            text += template.format(names) if names else ""
        for key, label in (("treatment", "诊治经过"), ("medications", "用药"),
                           ("course", "病情变化")):
            value = self.text(f"present_illness.{key}")
            if value:
                text += f"{label}：{value}。"
        return text

    def past(self) -> str:
        parts = []
        for key, label in (("chronic_diseases", "慢性病史"), ("infectious_diseases", "传染病史"),
                           ("operations", "手术史"), ("trauma", "外伤史"),
                           ("transfusion", "输血史")):
            value = self.text(f"past.{key}")
            if value is None:
                continue
            if value in NONE_WORDS:
                parts.append(f"否认{label}")
            elif key in ("chronic_diseases", "infectious_diseases"):
                parts.append(f"有{value}病史")
            else:
                parts.append(f"{label}：{value}")
        diseases = self.derived.get("past.diseases")
        if diseases:
            parts.append(f"有{'、'.join(self.writer.names('diseases', diseases.value))}病史")
        earlier = self.symptoms("past.symptoms")
        if earlier:
            parts.append(f"既往有{earlier}")
        drugs = self.text("past.medications")
        if drugs and drugs not in NONE_WORDS:
            parts.append(f"长期用药：{drugs}")
        return "；".join(parts) + "。" if parts else ""

    def family(self) -> str:
        value = self.text("family.history")
        if value is None:
            return ""
        return "否认家族遗传病史。" if value in NONE_WORDS else f"{value}。"

    def allergy(self) -> str:
        reactions = self.state.facts.get("allergy.reactions")
        seen = reactions.value if reactions and isinstance(reactions.value, dict) else {}
        parts = []
        for key, none in (("allergy.drugs", "否认药物过敏史"), ("allergy.foods", "否认食物过敏史"),
                          ("allergy.others", "否认其他过敏史")):
            fact = self.state.facts.get(key)
            if fact is None or fact.value in UNSAID:
                continue
            if not isinstance(fact.value, list):  # the patient's words: 对尘螨过敏, not …过敏过敏
                said = str(fact.value)
                parts.append(none if said in NONE_WORDS else
                             said if said.endswith("过敏") else f"{said}过敏")
                continue
            if not fact.value:
                parts.append(none)
            kind = LIST_SLOTS[key]
            for concept in fact.value:
                name = self.writer.knowledge.lexicon.name(kind, concept)
                reaction = seen.get(concept) if isinstance(concept, str) else None
                parts.append(f"{name}过敏（{reaction}）" if reaction else f"{name}过敏")
        return "；".join(parts) + "。" if parts else ""

    def simple(self, section: str, slots: list[str]) -> str:
        """Label：value parts; denials are grouped (否认吸烟史、饮酒史)."""
        parts, denied = [], []
        for slot in slots:
            key = f"{section}.{slot}"
            value = self.text(key)
            label = self.writer.knowledge.label(key)
            if value is not None and (value in NONE_WORDS or value in DENIED_HABITS):
                denied.append(label)
            elif value is not None:
                parts.append(f"{label}：{value}")
        if denied:
            parts.insert(0, "否认" + "、".join(denied))
        return "；".join(parts) + "。" if parts else ""
