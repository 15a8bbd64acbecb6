"""The pre-visit note (预问诊记录): structured slots plus a narrative in 病历书写 style.

Every slot keeps the patient's own words and the turn it came from, so the doctor can check the
narrative against what was actually said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conversations.knowledge import Knowledge
from conversations.state import DialogueState, Fact

SECTION_TITLES = {
    "chief_complaint": "主诉", "present_illness": "现病史", "past": "既往史",
    "personal": "个人史", "family": "家族史", "allergy": "过敏史",
    "obstetric": "月经婚育史", "paediatric": "出生及生长发育史",
}
LIST_SLOTS = {
    "present_illness.associated": "symptoms", "present_illness.negatives": "symptoms",
    "past.chronic_diseases": "chronic_diseases",
    "past.operations": "operations", "past.infectious_diseases": "infectious_diseases",
    "allergy.drugs": "drugs", "allergy.foods": "foods", "present_illness.medications": "drugs",
}
NONE_WORDS = {"无", "没有", "否认", "都没有"}


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


class NoteWriter:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.history_labels = {q.key: q.ask for questions in knowledge.history.values()
                               for q in questions}

    def labels_for(self, state: DialogueState) -> dict[str, str]:
        """Each slot labelled with the question this patient was actually asked."""
        complaint = self.knowledge.complaints.get(state.complaint or "")
        labels = dict(self.history_labels)
        if complaint:
            labels.update({q.key: q.ask for q in complaint.questions})
        return labels

    def names(self, kind: str, ids: list[str]) -> list[str]:
        return [self.knowledge.lexicon.name(kind, concept_id) for concept_id in ids]

    def display(self, fact: Fact) -> str:
        kind = LIST_SLOTS.get(fact.key)
        if fact.key == "chief_complaint.symptom":
            return self.knowledge.lexicon.name("symptoms", fact.value)
        if fact.key == "chief_complaint.duration":
            return format_duration(fact.value, fact.uncertain)
        if fact.key == "present_illness.severity" and isinstance(fact.value, int):
            return f"{fact.value}/10"
        if kind and isinstance(fact.value, list):
            return "、".join(self.names(kind, fact.value)) or "无"
        if isinstance(fact.value, list):
            return "、".join(map(str, fact.value)) or "无"
        return str(fact.value)

    def build(self, state: DialogueState) -> PreVisitNote:
        facts = dict(state.facts)
        facts.update(_symptom_facts(state))
        labels = self.labels_for(state)
        slots = [
            NoteSlot(key=fact.key, label=labels.get(fact.key, fact.key), value=fact.value,
                     display=self.display(fact), words=fact.words, turn=fact.turn,
                     source=fact.source, uncertain=fact.uncertain)
            for fact in sorted(facts.values(), key=lambda f: (f.turn, f.key))
        ]
        sections = _Narrative(self, state, labels).sections()
        narrative = "\n".join(f"{SECTION_TITLES[name]}：{text}" for name, text in sections.items())
        return PreVisitNote(slots=slots, narrative=narrative, sections=sections)


def _symptom_facts(state: DialogueState) -> dict[str, Fact]:
    """Associated and denied symptoms, from every mention in the conversation (伴/无)."""
    chief = state.facts.get("chief_complaint.symptom")
    chief_id = chief.value if chief else None
    derived: dict[str, Fact] = {}
    for key, present in (("present_illness.associated", True),
                         ("present_illness.negatives", False)):
        items = [s for s in state.symptoms.values()
                 if s.present == present and s.concept != chief_id]
        if items:
            derived[key] = Fact(key=key, value=[s.concept for s in items],
                                words="；".join(dict.fromkeys(s.words for s in items)),
                                turn=max(s.turn for s in items))
        elif key in state.facts:
            derived[key] = state.facts[key]
    return derived


class _Narrative:
    """Renders facts in the conventional order and phrasing of an outpatient record."""

    def __init__(self, writer: NoteWriter, state: DialogueState, labels: dict[str, str]) -> None:
        self.writer, self.state, self.labels = writer, state, labels

    def text(self, key: str) -> str | None:
        fact = self.state.facts.get(key)
        if fact is None or fact.value in (None, "", "跳过"):
            return None
        return self.writer.display(fact)

    def sections(self) -> dict[str, str]:
        parts = {
            "chief_complaint": self.chief_complaint(),
            "present_illness": self.present_illness(),
            "past": self.past(),
            "personal": self.simple("personal", [("smoking", "吸烟史"), ("alcohol", "饮酒史"),
                                                 ("occupation", "职业"), ("exposure", "接触史"),
                                                 ("travel", "旅居史")]),
            "family": self.simple("family", [("history", "家族史")]),
            "allergy": self.allergy(),
            "obstetric": self.simple("obstetric", [
                ("last_menstrual_period", "末次月经"), ("menstrual", "月经情况"),
                ("pregnant", "妊娠情况"), ("marital_reproductive", "婚育史")]),
            "paediatric": self.simple("paediatric", [
                ("birth", "出生情况"), ("feeding", "喂养情况"), ("vaccination", "预防接种"),
                ("growth", "生长发育")]),
        }
        return {name: text for name, text in parts.items() if text}

    def chief_complaint(self) -> str:
        symptom = self.text("chief_complaint.symptom")
        if not symptom:
            return ""
        return f"{symptom}{self.text('chief_complaint.duration') or ''}。"

    def present_illness(self) -> str:
        symptom = self.text("chief_complaint.symptom")
        if not symptom:
            return ""
        duration = self.text("chief_complaint.duration")
        onset = self.text("present_illness.onset")
        opening = f"患者{duration + '前' if duration else ''}{onset + '，' if onset else ''}"
        cause = "" if onset else "无明显诱因"
        sentences = [f"{opening}{cause}出现{symptom}"]
        for key, template in (("site", "部位：{}"), ("character", "性质：{}"),
                              ("severity", "程度{}"), ("timing", "{}"),
                              ("aggravating", "{}时加重"), ("relieving", "{}后缓解")):
            value = self.text(f"present_illness.{key}")
            if value and value not in NONE_WORDS:
                sentences.append(template.format(value))
        for key, value in sorted(self.state.facts.items()):
            if key.startswith("present_illness.extra."):
                label = self.labels.get(key, key.rsplit(".", 1)[-1])
                sentences.append(f"{label.rstrip('？?')}：{self.writer.display(value)}")
        text = "，".join(sentences) + "。"
        associated = [c for c in self.state.positive_symptoms()
                      if c != self.state.facts["chief_complaint.symptom"].value]
        negatives = [c for c, s in self.state.symptoms.items() if not s.present]
        if associated:
            text += "伴" + "、".join(self.writer.names("symptoms", associated)) + "。"
        if negatives:
            text += "无" + "、".join(self.writer.names("symptoms", negatives)) + "。"
        for key, label in (("treatment", "诊治经过"), ("medications", "用药"),
                           ("course", "病情变化")):
            value = self.text(f"present_illness.{key}")
            if value:
                text += f"{label}：{value}。"
        return text

    def past(self) -> str:
        parts = []
        for key, label in (("chronic_diseases", "病史"), ("infectious_diseases", "传染病史"),
                           ("operations", "手术史"), ("trauma", "外伤史"),
                           ("transfusion", "输血史")):
            value = self.text(f"past.{key}")
            if value is None:
                continue
            parts.append(f"否认{label}" if value in NONE_WORDS else
                         (f"有{value}{label}" if label != "病史" else f"{value}病史"))
        return "；".join(parts) + "。" if parts else ""

    def allergy(self) -> str:
        drugs, foods = self.text("allergy.drugs"), self.text("allergy.foods")
        parts = []
        if drugs is not None:
            parts.append("否认药物过敏史" if drugs in NONE_WORDS else f"{drugs}过敏")
        if foods is not None:
            parts.append("否认食物过敏史" if foods in NONE_WORDS else f"对{foods}过敏")
        return "；".join(parts) + "。" if parts else ""

    def simple(self, section: str, items: list[tuple[str, str]]) -> str:
        parts = []
        for slot, label in items:
            value = self.text(f"{section}.{slot}")
            if value is not None:
                parts.append(f"否认{label}" if value in NONE_WORDS else f"{label}：{value}")
        return "；".join(parts) + "。" if parts else ""
