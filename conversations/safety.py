"""Looking for danger in what the patient has said, on every message, until an emergency is
raised — also after the triage result or the note.

The order is fixed: the deterministic rules; a screening answer that is not a clear no; a
language model's reading (possible, 可能); the statistical second look (possible, 可能). What a
model says only ever adds a possible emergency; nothing removes a rule's flag.
"""

from __future__ import annotations

import re

from conversations import redflags
from conversations.emergency_model import EmergencyModel
from conversations.knowledge import Knowledge
from conversations.nlu import Understanding
from conversations.state import DialogueState, Message, RedFlagHit, SymptomFact

MODEL_RULE = "statistical_possible_emergency"
MODEL_ADVICE = ("根据您的描述，可能是需要马上处理的急症。如果这些情况正在发生或在加重，"
                "请马上拨打120，或立即去最近医院的急诊科。如果不是现在发生的，请告诉医生具体情况。"
                "如果您有伤害自己的想法，请拨打全国心理援助热线12356。")
SCREENED_SYMPTOM = "suicidal_thoughts"
RISK_WORDS = re.compile(r"有|想过|准备|打算|计划|买|攒|存|绳|刀|药|跳|死|活|伤|割|结束|办法")
SCREEN_NO = re.compile(  # a clear "no" to the screening question; 不知道 is not one
    r"\s*(?:没有?(?!准备好)|不(?!知道|清楚|确定|好说|一定)|从来?没|从不|并没|否)")


def patient_texts(state: DialogueState) -> list[redflags.Said]:
    return redflags.said(m.text for m in state.transcript if m.role == "patient")


def look_for_danger(knowledge: Knowledge, state: DialogueState, u: Understanding, message: str,
                    screened: RedFlagHit | None, *, with_language_model: bool,
                    emergency_model: EmergencyModel | None) -> RedFlagHit | None:
    """The flag this message raises, if any (emergency, screen or possible)."""
    said = patient_texts(state)
    hit = redflags.check(knowledge.red_flags, state, said)
    if hit is None and screened is not None and not (u.deny or SCREEN_NO.match(u.text)):
        if _about_something_else(u) and state.screened.count(screened.rule_id) < 2:
            hit = screened  # 甲状腺结节 体检查出来的: no answer to it; asked once more
        else:  # anything else but a clear "no" is taken as risk confirmed
            hit = redflags.escalation(knowledge.red_flags, screened, message.strip(), state)
    if hit is None and with_language_model:
        hit = redflags.possible(knowledge.red_flags, state, said)
    if hit is None and emergency_model is not None:
        hit = second_look(emergency_model, state)
    return hit


def _about_something_else(u: Understanding) -> bool:
    """A reply that names other medical things and says nothing of plans, means or yes."""
    return bool(u.mentions) and not u.affirm and not RISK_WORDS.search(u.text) and not any(
        m.concept == SCREENED_SYMPTOM for m in u.mentions)


def second_look(model: EmergencyModel, state: DialogueState) -> RedFlagHit | None:
    """The statistical detector on the latest message, alone and with the one before (it was
    trained on one to three messages; a whole interview would pile up small weights)."""
    said = [m.text for m in state.transcript if m.role == "patient"]
    if not said:
        return None
    scored = max(((model.probability(text), text) for text in {said[-1], " ".join(said[-2:])}),
                 default=(0.0, ""))
    if scored[0] < model.threshold:
        return None
    return RedFlagHit(rule_id=MODEL_RULE, name="可能是急症（统计模型提示）", advice=MODEL_ADVICE,
                      words=model.strongest(scored[1]), turn=state.turn, level="possible")


def start_screening(knowledge: Knowledge, state: DialogueState, hit: RedFlagHit) -> str:
    """Record that the screening question is asked (once) and return it. The thoughts stay in
    the record and point triage to mental health."""
    rule = next(r for r in knowledge.red_flags if r.id == hit.rule_id)
    state.screened.append(hit.rule_id)
    state.screening = hit
    state.symptoms.setdefault(SCREENED_SYMPTOM, SymptomFact(
        SCREENED_SYMPTOM, True, hit.words[0] if hit.words else "", state.turn))
    return str(rule.screen)


def record(state: DialogueState, message: str) -> None:
    state.turn += 1
    state.transcript.append(Message("patient", message, state.turn))
