"""Red flags: deterministic, negation-aware rules checked on every turn.

A rule fires on symptoms the patient affirmed for this illness anywhere in the conversation and on
phrases in what they typed. A phrase counts only when it is said of the patient, now: not inside a
negated clause (嘴不歪), not history (小时候抽过风), not a question or a worry (怕孩子抽筋,
惊厥是什么意思), not about someone else (邻居中风了), not a quiz or story about a case with no
real person named (执业医师考试题 患者…), not treated and discharged as a finished statement
(已经出院了, with nothing sudden, ongoing or asked in the message). Phrases are composed from
the vocabulary in `red_flags.yaml` (one side × limb × weakness), so wordings nobody wrote down
still match. No model is consulted: the decision to stop the interview must be explainable and
fixed.

Rules have a level: `emergency` stops the interview; `screen` asks one screening question first
(passive suicidal ideation), and an answer that confirms the risk escalates to the rule named in
`escalate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from conversations.allergy import told_spans
from conversations.knowledge import RedFlagRule
from conversations.nlu import normalise_mapped
from conversations.nlu_context import (
    DENIED_REPEAT,
    HISTORY_AFTER,
    REPORTED_DIAGNOSIS,
    said_of_now,
    sentence_of,
    span_between,
)
from conversations.state import DialogueState, RedFlagHit

_CLAUSE_BREAK = re.compile(r"[，,。.；;！!？?\s]|但是|但|不过|可是")
_NEGATORS = ("没有", "没", "不", "无", "否认", "未", "从来没", "并不")
_NOT_NEGATED_AFTER = ("不是没", "没有不", "不是不")
# 今天礼拜二 / 今天12号 names the day, it says nothing about an onset
_SUDDEN = (r"突然|忽然|一下子|刚才|刚刚|猛地|猛然|今早|半夜|醒来"
           r"|今天(?!是?(?:礼拜|星期|周|[0-9一二三四五六七八九十]+号|都))")
# 是不是 / 要不要 ask, they deny nothing
_NOT_A_NEGATOR = re.compile(r"([是要会能行好可对])不\1"
                            r"|不(?:知道|清楚|确定|舒服|得劲|对劲|停|断|行了|好|了|小心|留神|注意"
                            r"|认识|认得)|没(?:事|多久|过多久|一会|几分钟|几天)|无缘无故|无名指|尿不湿")


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
_DENIED_AFTER = re.compile(r"(?:的?(?:念头|想法|打算|情况|事|症状|毛病)|样?的?(?:疼|痛))?"
                           r"(?:倒|也|都|倒是|还|一直|从来|根本|完全|是)?"
                           r"(?:没有|没|不是|不)(?:的|啊|呢|哈)?")
_ECHOED_QUESTION = re.compile(r"是[^，,。]{0,8}的?[吗么嘛]")



# 花生过敏 吃了嘴唇肿 还喘: in an interview, what follows an allergy is its past reaction
_ALLERGY_TOLD = re.compile(r"过敏(?!了)")
_NOW = re.compile(r"现在|刚才|刚刚|今天|这会|正在|马上|这次|这回")
# 小时候高烧抽过一回 医生说是热性惊厥: a diagnosis reported for an earlier event
_EARLIER = re.compile(r"过|以前|之前|去年|前年|小时候|那次|上次|岁的时候|那年")


def _told_as_history(text: str, clause: tuple[int, int], start: int, end: int,
                     interview: bool, allergy_told: list[tuple[int, int]] = ()) -> bool:
    """A diagnosis reported for an earlier event, or, in an interview, an allergy's past
    reaction: said after 过敏, or in answer to the allergy question (头孢吃了拉肚子, see
    `allergy.as_answer`), unless said to be now."""
    lo = sentence_of(text, start)[0]
    now = _NOW.search(text, lo, end)  # 这回没抽, said after, denies; it does not make it now
    if REPORTED_DIAGNOSIS.match(text, clause[0]) and not now \
            and _EARLIER.search(text, lo, clause[0]):
        return True
    told = bool(_ALLERGY_TOLD.search(text, lo, end)) or any(
        s <= start and end <= e for s, e in allergy_told)
    return interview and told and not now


def _text_matches(pattern: str, utterances: list[Said], wishes: bool = False,
                  interview: bool = False, allergy_told: list[list[tuple[int, int]]] = ()):
    """Each (message number, the patient's own words as typed) that matches, said of them, now."""
    for number, (text, index, raw) in enumerate(utterances):
        told = allergy_told[number] if allergy_told else ()
        for match in _compiled(pattern).finditer(text):
            clause = _clause(text, match.start(), match.end())
            if _told_as_history(text, clause, match.start(), match.end(), interview, told):
                continue
            repeat = DENIED_REPEAT.fullmatch(text, match.end(), clause[1])
            if _DENIED_AFTER.fullmatch(text, match.end(), clause[1]) \
                    or (repeat and repeat[1] in match[0]) \
                    or _ECHOED_QUESTION.fullmatch(text, clause[0], clause[1]) \
                    or HISTORY_AFTER.match(text, match.end()):
                continue
            if not _negated(text, clause[0], match.start()) \
                    and said_of_now(text, clause, match.start(), match.end(), wishes):
                yield number, raw[index[match.start()]:index[match.end() - 1] + 1]
                break


def _text_match(pattern: str, utterances: list[Said], wishes: bool = False) -> str | None:
    """The patient's own words (as typed) for the first match said of them, now."""
    return next((words for _number, words in _text_matches(pattern, utterances, wishes)), None)


Found = tuple[int | None, str]  # the message it was said in (None: a symptom of the illness), words


def _item_found(item: str, state: DialogueState, utterances: list[Said],
                sources: tuple[str, ...] = ("patient",), wishes: bool = False,
                told: list[list[tuple[int, int]]] = ()) -> list[Found]:
    kind, _, value = item.partition(":")
    if kind == "symptom":
        fact = state.symptoms.get(value)
        # The rules count the patient's own words; a model's reading only ever adds a *possible*
        # emergency (see `possible`), and nothing a model says clears one.
        return [(None, fact.words)] if fact and fact.present and not fact.history \
            and fact.source in sources else []
    return list(_text_matches(value, utterances, wishes, state.mode == "pre_consultation", told))


def _together(groups: list[list[Found]], span: int | None) -> list[str] | None:
    """One finding per group, the words said within `span` consecutive messages of each other
    (a symptom of the illness counts anywhere): in a long interview, 糖尿病 in the family
    history and 昏昏沉沉 ten answers earlier do not make one emergency."""
    if span is None or sum(any(n is not None for n, _w in g) for g in groups) < 2:
        return [g[0][1] for g in groups]
    starts = sorted({n for g in groups for n, _w in g if n is not None})
    for first in starts:
        chosen = [[w for n, w in g if n is None or first <= n < first + span][:1] for g in groups]
        if all(chosen):
            return [w[0] for w in chosen]
    return None


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


# In a pre-visit interview a composed rule's words must come from one message or the next.
INTERVIEW_SPAN = 2


def allergy_told(state: DialogueState, utterances: list[Said]) -> list[list[tuple[int, int]]]:
    """Per patient message, the spans that told an allergy's past reaction in answer to the
    allergy question (头孢吃了拉肚子, see `allergy.as_answer`): history, not now."""
    told = [told_spans(m.allergy_told) if m.allergy_told else []
            for m in state.transcript if m.role == "patient"]
    return told if len(told) == len(utterances) and any(told) else []


def evaluate(rule: RedFlagRule, state: DialogueState, utterances: list[Said],
             sources: tuple[str, ...] = ("patient",),
             told: list[list[tuple[int, int]]] | None = None) -> list[str] | None:
    """The words that make `rule` fire, or None."""
    if not _applies(rule, state, utterances):
        return None
    wishes = rule.level == "screen"  # 要是我死了就好了: a death wish is said as a conditional
    told = allergy_told(state, utterances) if told is None else told
    groups = [*rule.all_of, *([rule.any_of] if rule.any_of else [])]
    span = INTERVIEW_SPAN if state.mode == "pre_consultation" and len(groups) > 1 else None
    found: list[list[Found]] = []
    for group in groups:
        options: list[Found] = []
        for item in group:
            options += _item_found(item, state, utterances, sources, wishes, told)
            if options and span is None:
                break  # only the first finding is quoted
        if not options:
            return None
        found.append(options)
    words = _together(found, span)
    if words is None:
        return None
    if rule.unless and any(_compiled(i.partition(":")[2]).search(text)
                           and (i.startswith("settled:")
                                or not _text_match(_SUDDEN, [(text, index, raw)]))
                           for i in rule.unless for text, index, raw in utterances):
        # a benign explanation (压着睡麻了, 康复), unless that message says sudden; a matter
        # already settled (已经打了狂犬疫苗, 复查钾4.5) holds whatever day it names
        return None
    return words


def _hit(rule: RedFlagRule, words: list[str], state: DialogueState) -> RedFlagHit:
    return RedFlagHit(rule_id=rule.id, name=rule.name, advice=rule.advice,
                      words=list(dict.fromkeys(words)), turn=state.turn, level=rule.level)


def check(rules: Iterable[RedFlagRule], state: DialogueState,
          utterances: list[Said]) -> RedFlagHit | None:
    """The first emergency rule that fires; else the first screening rule not yet asked."""
    screen, told = None, allergy_told(state, utterances)
    for rule in rules:
        if rule.level == "screen" and (screen is not None or rule.id in state.screened):
            continue
        words = evaluate(rule, state, utterances, told=told)
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
    told = allergy_told(state, utterances)
    for rule in rules:
        if rule.level != "emergency":
            continue
        words = evaluate(rule, state, utterances, sources=("patient", "model"), told=told)
        if words:
            return RedFlagHit(rule_id=rule.id, name=f"可能：{rule.name}",
                              advice=f"根据您的描述，可能是急症。{rule.advice}",
                              words=list(dict.fromkeys(words)), turn=state.turn,
                              level="possible")
    return None
