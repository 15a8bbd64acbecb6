"""Red flags: deterministic, negation-aware rules checked on every turn.

A rule fires on symptoms the patient affirmed anywhere in the conversation and on phrases in
what they typed (a phrase inside a negated clause does not count). No model is consulted: the
decision to stop the interview and send someone to emergency care must be explainable and fixed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from conversations.knowledge import RedFlagRule
from conversations.state import DialogueState, RedFlagHit

_CLAUSE_BREAK = re.compile(r"[，,。.；;！!？?\s]|但是|但|不过|可是")
_NEGATORS = ("没有", "没", "不", "无", "否认", "未", "从来没", "并不")
_NOT_NEGATED_AFTER = ("不是没", "没有不", "不是不")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _negated(text: str, start: int) -> bool:
    clause_start = 0
    for match in _CLAUSE_BREAK.finditer(text, 0, start):
        clause_start = match.end()
    before = text[clause_start:start]
    if any(marker in before for marker in _NOT_NEGATED_AFTER):
        return False
    return any(neg in before for neg in _NEGATORS)


def _text_match(pattern: str, utterances: Iterable[str]) -> str | None:
    for text in utterances:
        for match in _compiled(pattern).finditer(text):
            if not _negated(text, match.start()):
                return match.group(0)
    return None


def _item_words(item: str, state: DialogueState, utterances: list[str]) -> str | None:
    kind, _, value = item.partition(":")
    if kind == "symptom":
        fact = state.symptoms.get(value)
        # Only the patient's own words count: a model's suggestion never raises or clears a flag.
        return fact.words if fact and fact.present and not fact.history \
            and fact.source == "patient" else None
    return _text_match(value, utterances)


def _applies(rule: RedFlagRule, state: DialogueState) -> bool:
    when, patient = rule.when, state.patient
    if "max_age_months" in when and patient.months > int(when["max_age_months"]):
        return False
    if "min_age_months" in when and patient.months < int(when["min_age_months"]):
        return False
    if "max_age_years" in when and patient.age_years > int(when["max_age_years"]):
        return False
    if "sex" in when and patient.sex != when["sex"]:
        return False
    return not ("pregnant" in when and bool(patient.pregnant) != bool(when["pregnant"]))


def evaluate(rule: RedFlagRule, state: DialogueState, utterances: list[str]) -> list[str] | None:
    """The words that make `rule` fire, or None."""
    if not _applies(rule, state):
        return None
    words: list[str] = []
    for group in rule.all_of:
        found = next((w for w in (_item_words(i, state, utterances) for i in group) if w), None)
        if found is None:
            return None
        words.append(found)
    if rule.any_of:
        found = next((w for w in (_item_words(i, state, utterances) for i in rule.any_of) if w),
                     None)
        if found is None:
            return None
        words.append(found)
    return words


def check(rules: Iterable[RedFlagRule], state: DialogueState,
          normalised_utterances: list[str]) -> RedFlagHit | None:
    for rule in rules:
        words = evaluate(rule, state, normalised_utterances)
        if words:
            return RedFlagHit(rule_id=rule.id, name=rule.name, advice=rule.advice,
                              words=list(dict.fromkeys(words)), turn=state.turn)
    return None
