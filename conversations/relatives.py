"""Relatives in what the patient says: family history written from the patient's side (the
typist's 姥姥 is a daughter's grandmother but her mother's 母亲), a relative who 'also has it', a
relative's long-standing complaint, and a parent's own illness typed for a child."""

from __future__ import annotations

import re

from conversations.facts import add_to_list
from conversations.informant import (
    as_patients_relative,
    is_the_patient,
    patient_is,
    possessor,
    speakers_own,
    typing_parent,
)
from conversations.knowledge import Lexicon
from conversations.nlu import Mention, Understanding
from conversations.nlu_context import KIN_NAMES
from conversations.nlu_cues import HISTORY_KINDS
from conversations.state import DialogueState

_ALSO_HAS = re.compile("(?:我|俺)?(?P<kin>" + "|".join(sorted(KIN_NAMES, key=len, reverse=True))
                       + r")(?:也|都|同样)(?:有|是|得过|得了|患过)(?:这个?病|这毛病)?"
                       r"(?=$|[\s，,。；;])")
_UMBRELLA_TUMOUR = {"癌", "癌症", "肿瘤", "恶性肿瘤", "良性肿瘤"}

# 我妈说我脸色不好: the relative reports what they saw in the patient
_REPORTED_BY = re.compile(r"(?:说|讲|觉得|看|嫌|发现)")


def parents_own(state: DialogueState, u: Understanding, mention: Mention) -> bool:
    """我小时候哮喘, typed by a child's parent: not the child's symptom or disease."""
    return state.patient.is_child and speakers_own(u.text, mention.start)


def relatives_symptom(state: DialogueState, u: Understanding, mention: Mention) -> bool:
    """我妈耳背好多年了 / 我爸跟我爷爷都秃, once the patient's own complaint is known: the
    relative is not the patient (unless the patient is that relative: 帮我妈问的 … 我妈还恶心)."""
    if "chief_complaint.symptom" not in state.facts or _REPORTED_BY.search(
            u.text, max(mention.start - 6, 0), mention.start):
        return False
    fact = state.facts.get("present_illness.informant")
    patient = patient_is(fact.words) if fact else None
    return not is_the_patient(str(mention.relative), patient)


def family_name(mention: Mention, lexicon: Lexicon) -> str:
    """A relative's cancer keeps its organ (父亲胃癌): it decides which screening the patient
    needs, and the class name 恶性肿瘤 would lose it."""
    name = lexicon.name(mention.kind, mention.concept)
    said = mention.text
    if said.endswith(("癌", "瘤")) and len(said) >= 2 and said not in _UMBRELLA_TUMOUR:
        return said
    return name


def same_in_relatives(state: DialogueState, u: Understanding, words: str) -> None:
    """我妈有糖尿病 我姥姥也有: a relative who 'also has it' has the illness just named."""
    named = [m for m in u.mentions if m.family and m.kind in HISTORY_KINDS and not m.negated]
    if not named:
        return
    for m in _ALSO_HAS.finditer(u.text):
        if m.start() < named[0].end or any(x.family and m.start() <= x.start <= m.end() + 4
                                          for x in named):
            continue
        whose = possessor(u.text, m.start("kin"))
        relative = patients_relative(state, KIN_NAMES.get(m["kin"]), whose)
        last = max((x for x in named if x.end <= m.start()), key=lambda x: x.end, default=None)
        said = patients_relative(state, last.relative, last.relative_of) if last else None
        fact = state.facts.get("family.history")
        values = [str(v) for v in fact.value] if fact and isinstance(fact.value, list) else []
        earlier = next((v for v in reversed(values) if said and v.startswith(said)), None)
        if relative and earlier:
            add_to_list(state, "family.history", relative + earlier[len(said):], words)


def patients_relative(state: DialogueState, relative: str | None, whose: str) -> str | None:
    """我姥姥, typed by a daughter for her mother, is the patient's 母亲; a relative by marriage
    only (我爸, for the same mother) is None: not family history."""
    if not relative:
        return relative
    fact = state.facts.get("present_illness.informant")
    patient = patient_is(fact.words) if fact else None
    if patient is None:
        return relative
    typist = typing_parent([m.text for m in state.transcript if m.role == "patient"]) \
        if patient == "子女" else None
    names = [as_patients_relative(n, whose or "typist", patient, typist)
             for n in relative.split("、")]
    return "、".join(dict.fromkeys(n for n in names if n)) or None


def add_relatives_illness(state: DialogueState, mention: Mention, lexicon: Lexicon,
                           words: str) -> None:
    relative = patients_relative(state, mention.relative, mention.relative_of)
    if relative is not None:
        add_to_list(state, "family.history", f"{relative}{family_name(mention, lexicon)}", words)
