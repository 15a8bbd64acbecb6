"""Red flags: deterministic, negation-aware rules checked on every turn.

A rule fires on symptoms the patient affirmed for this illness anywhere in the conversation and on
phrases in what they typed. A phrase counts only when it is said of the patient, now: not inside a
negated clause (嘴不歪), not history (小时候抽过风), not a question or a worry (怕孩子抽筋,
惊厥是什么意思), not about someone else (邻居中风了). Phrases are composed from the vocabulary
in `red_flags.yaml` (one side × limb × weakness), so wordings nobody wrote down still match. No
model is consulted: the decision to stop the interview must be explainable and fixed.

Rules have a level: `emergency` stops the interview; `screen` asks one screening question first
(passive suicidal ideation), and an answer that confirms the risk escalates to the rule named in
`escalate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from conversations.knowledge import RedFlagRule
from conversations.nlu import normalise_mapped
from conversations.nlu_context import DENIED_REPEAT, HISTORY_AFTER, said_of_now, span_between
from conversations.state import DialogueState, RedFlagHit

_CLAUSE_BREAK = re.compile(r"[，,。.；;！!？?\s]|但是|但|不过|可是")
_NEGATORS = ("没有", "没", "不", "无", "否认", "未", "从来没", "并不")
_NOT_NEGATED_AFTER = ("不是没", "没有不", "不是不")
# 今天礼拜二 / 今天12号 names the day, it says nothing about an onset
_SUDDEN = (r"突然|忽然|一下子|刚才|刚刚|猛地|猛然|今早|半夜|醒来"
           r"|今天(?!是?(?:礼拜|星期|周|[0-9一二三四五六七八九十]+号|都))")
_NOT_A_NEGATOR = re.compile(r"不(?:知道|清楚|确定|舒服|得劲|对劲|停|断|行了|好|了|小心|留神|注意)"
                            r"|没(?:事|多久|过多久|一会|几分钟|几天)|无缘无故|尿不湿")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    return span_between(_CLAUSE_BREAK, text, start, end)


def _negated(text: str, clause_start: int, start: int) -> bool:
    before = _NOT_A_NEGATOR.sub("", text[clause_start:start])
    if any(marker in before for marker in _NOT_NEGATED_AFTER):
        return False
    return any(neg in before for neg in _NEGATORS)


Said = tuple[str, list[int], str]  # normalised text, index into what was typed, what was typed


def said(raw_utterances: Iterable[str]) -> list[Said]:
    """What the patient typed, ready for matching: normalised, and mapped back for quoting."""
    return [(*normalise_mapped(raw), raw) for raw in raw_utterances]


# 手没劲倒没有: the denial comes after the words; 是突然的吗: the patient echoes our question
_DENIED_AFTER = re.compile(r"(?:倒|也|都|倒是|还)?(?:没有|没|不是|不)(?:的|啊|呢|哈)?")
_ECHOED_QUESTION = re.compile(r"是[^，,。]{0,8}的?[吗么嘛]")



def _text_match(pattern: str, utterances: list[Said], wishes: bool = False) -> str | None:
    """The patient's own words (as typed) for the first match said of them, now."""
    for text, index, raw in utterances:
        for match in _compiled(pattern).finditer(text):
            clause = _clause(text, match.start(), match.end())
            repeat = DENIED_REPEAT.fullmatch(text, match.end(), clause[1])
            if _DENIED_AFTER.fullmatch(text, match.end(), clause[1]) \
                    or (repeat and repeat[1] in match[0]) \
                    or _ECHOED_QUESTION.fullmatch(text, clause[0], clause[1]) \
                    or HISTORY_AFTER.match(text, match.end()):
                continue
            if not _negated(text, clause[0], match.start()) \
                    and said_of_now(text, clause, match.start(), match.end(), wishes):
                return raw[index[match.start()]:index[match.end() - 1] + 1]
    return None


def _item_words(item: str, state: DialogueState, utterances: list[Said],
                sources: tuple[str, ...] = ("patient",), wishes: bool = False) -> str | None:
    kind, _, value = item.partition(":")
    if kind == "symptom":
        fact = state.symptoms.get(value)
        # The rules count the patient's own words; a model's reading only ever adds a *possible*
        # emergency (see `possible`), and nothing a model says clears one.
        return fact.words if fact and fact.present and not fact.history \
            and fact.source in sources else None
    return _text_match(value, utterances, wishes)


def _applies(rule: RedFlagRule, state: DialogueState, utterances: list[Said]) -> bool:
    when, patient = rule.when, state.patient
    if "max_age_months" in when and patient.months > int(when["max_age_months"]):
        return False
    if "min_age_months" in when and patient.months < int(when["min_age_months"]):
        return False
    if "max_age_years" in when and patient.age_years > int(when["max_age_years"]):
        return False
    if "min_age_years" in when and patient.age_years < int(when["min_age_years"]):
        return False
    days = state.facts.get("chief_complaint.duration")
    if "max_duration_days" in when and days and isinstance(days.value, int | float) \
            and days.value > float(when["max_duration_days"]) \
            and not _text_match(_SUDDEN, utterances):
        return False  # 右手没劲两个多月了，慢慢加重: not a stroke happening now
    if "sex" in when and patient.sex != when["sex"]:
        return False
    return not ("pregnant" in when and bool(patient.pregnant) != bool(when["pregnant"]))


def evaluate(rule: RedFlagRule, state: DialogueState, utterances: list[Said],
             sources: tuple[str, ...] = ("patient",)) -> list[str] | None:
    """The words that make `rule` fire, or None."""
    if not _applies(rule, state, utterances):
        return None
    words: list[str] = []
    wishes = rule.level == "screen"  # 要是我死了就好了: a death wish is said as a conditional
    for group in rule.all_of:
        found = next((w for w in (_item_words(i, state, utterances, sources, wishes)
                                  for i in group) if w), None)
        if found is None:
            return None
        words.append(found)
    if rule.any_of:
        found = next((w for w in (_item_words(i, state, utterances, sources, wishes)
                                  for i in rule.any_of) if w), None)
        if found is None:
            return None
        words.append(found)
    if rule.unless and any(_compiled(i.partition(":")[2]).search(text)
                           for i in rule.unless for text, _index, _raw in utterances) \
            and not _text_match(_SUDDEN, utterances):
        return None  # a benign explanation (压着睡麻了, 康复), unless something says sudden
    return words


def _hit(rule: RedFlagRule, words: list[str], state: DialogueState) -> RedFlagHit:
    return RedFlagHit(rule_id=rule.id, name=rule.name, advice=rule.advice,
                      words=list(dict.fromkeys(words)), turn=state.turn, level=rule.level)


def check(rules: Iterable[RedFlagRule], state: DialogueState,
          utterances: list[Said]) -> RedFlagHit | None:
    """The first emergency rule that fires; else the first screening rule not yet asked."""
    screen = None
    for rule in rules:
        if rule.level == "screen" and (screen is not None or rule.id in state.screened):
            continue
        words = evaluate(rule, state, utterances)
        if not words:
            continue
        if rule.level == "emergency":
            return _hit(rule, words, state)
        screen = _hit(rule, words, state)
    return screen


def escalation(rules: Iterable[RedFlagRule], screened: RedFlagHit, answer: str,
               state: DialogueState) -> RedFlagHit | None:
    """The emergency a screening answer confirms (有 / 想过 / 准备了), quoting the answer."""
    by_id = {rule.id: rule for rule in rules}
    rule = by_id.get(by_id[screened.rule_id].escalate or "")
    return _hit(rule, [*screened.words, answer], state) if rule else None


def possible(rules: Iterable[RedFlagRule], state: DialogueState,
             utterances: list[Said]) -> RedFlagHit | None:
    """An emergency the rules fire on only once a language model's reading is counted: shown to
    the patient as 可能 and logged for review. Called only when the rules found none."""
    for rule in rules:
        if rule.level != "emergency":
            continue
        words = evaluate(rule, state, utterances, sources=("patient", "model"))
        if words:
            return RedFlagHit(rule_id=rule.id, name=f"可能：{rule.name}",
                              advice=f"根据您的描述，可能是急症。{rule.advice}",
                              words=list(dict.fromkeys(words)), turn=state.turn,
                              level="possible")
    return None
