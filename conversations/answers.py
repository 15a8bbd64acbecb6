"""Filing the answer to the question that was asked: how long, what else, what makes it worse
or better, and which questions apply to this patient. The questions every interview asks
(the complaint and its duration) live here too."""

from __future__ import annotations

import re
from collections.abc import Callable

from conversations.facts import set_fact
from conversations.knowledge import Question
from conversations.nlu import Understanding
from conversations.state import DialogueState, SymptomFact

CHIEF = Question(key="chief_complaint.symptom", ask="请问您哪里不舒服？",
                 options=("头痛", "头晕", "发烧", "咳嗽", "胸口痛", "肚子痛"),
                 hint="可以直接说，比如：头疼三天了，有点恶心")
DURATION = Question(key="chief_complaint.duration", ask="这种情况有多久了？",
                    options=("今天刚开始", "一两天", "三到七天", "一周以上", "一个月以上"),
                    hint="比如：三天了、大半年了")
DURATION_OPTIONS = {"今天刚开始": 0.5, "一两天": 1.5, "三到七天": 5.0, "一周以上": 10.0,
                    "一个月以上": 45.0}
CHILD_SKIPPED = {"personal.smoking", "personal.alcohol", "personal.occupation"}
MAX_UNCLEAR = 2
UNANSWERED = "未答"
RELIEF = re.compile(r"好|缓解|轻|舒服|松活|减轻|过去")


def answer_worse_better(state: DialogueState, key: str, answer: str) -> None:
    """饿的时候疼，吃点东西就好: the part that eases goes to 缓解因素, the rest to 加重因素,
    whichever of the two was asked."""
    parts = [p for p in re.split(r"[，,。；;\s]+", answer) if p]
    better = [p for p in parts if RELIEF.search(p)]
    worse = [p for p in parts if p not in better]
    for slot, said in (("present_illness.relieving", better),
                       ("present_illness.aggravating", worse)):
        if said and (slot == key or slot not in state.facts):
            set_fact(state, slot, "，".join(said), answer)
    if key not in state.facts:
        set_fact(state, key, UNANSWERED, answer)


def applicable_to(state: DialogueState) -> Callable[[str], bool]:
    patient = state.patient

    def applicable(key: str) -> bool:
        section = key.split(".", 1)[0]
        if section == "obstetric":
            return patient.reproductive_age_woman
        if section == "paediatric":
            return patient.is_child
        return not (patient.is_child and key in CHILD_SKIPPED)

    return applicable


def answer_associated(state: DialogueState, u: Understanding, words: str) -> None:
    chief = state.facts.get(CHIEF.key)
    others = [c for c in state.positive_symptoms() if not chief or c != chief.value]
    if others:
        set_fact(state, "present_illness.associated", others, words)
    elif u.deny or "都没有" in words:
        set_fact(state, "present_illness.associated", [], words)
    elif u.skip or u.uncertain:
        set_fact(state, "present_illness.associated", "跳过" if u.skip else "不详", words,
                 uncertain=u.uncertain)
    else:
        set_fact(state, "present_illness.associated", [], words)


def answer_duration(state: DialogueState, words: str) -> None:
    for option, days in DURATION_OPTIONS.items():
        if option in words:
            set_fact(state, DURATION.key, days, words, uncertain=True)
            return
    state.unclear += 1
    if state.unclear > MAX_UNCLEAR:
        set_fact(state, DURATION.key, None, words, uncertain=True)


# 我三年前心梗放过支架 我想问问: an old illness named while starting to talk is background; it
# leads only when the patient comes about it (复查, 开药), not for 问问 / 看看
_OLD_ILLNESS_REVIEW = re.compile(r"复查(?![^，,。]{0,4}(?:挺好|正常|没事|没问题|都好))|复诊|随访"
                                 r"|开药|拿药|配药")


ALLERGY_DISEASES = frozenset({"allergic_reaction", "food_allergy"})


def named_lead(state: DialogueState) -> SymptomFact | None:
    """体检查出甲状腺结节 / 尿酸高 / 有房颤想复查: with no symptom said, the disease or finding
    the patient named last is why they came. A worry (怕是…) is not; an old illness is only
    when they come about it (复查, 开药)."""
    # 我过敏体质 青霉素头孢都过敏: an allergy told first is its history, not why they came
    allergic = any(k.startswith("allergy.") and f.value for k, f in state.facts.items())
    said = sorted((d for d in state.diseases.values() if d.present and not d.uncertain
                   and not (allergic and d.concept in ALLERGY_DISEASES)),
                  key=lambda d: -d.turn)
    now = [d for d in said if not d.history]
    if now:
        return now[0]
    latest = next((m.text for m in reversed(state.transcript) if m.role == "patient"), "")
    return said[0] if said and _OLD_ILLNESS_REVIEW.search(latest) else None
