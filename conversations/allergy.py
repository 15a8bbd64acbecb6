"""过敏史: what the patient is allergic to and how it showed, however it is said.

An allergen — a drug, a food, or one of the `other_allergens` (花粉, 尘螨, 猫毛, 乳胶,
蜂蜇 …) — is an allergy when an allergy word is said of it (过敏, 起疹子: read in `nlu`),
when it is the exception of a denial (除了青霉素没别的过敏), and, in answer to the allergy
question, when a reaction follows it (头孢吃了拉肚子, 一吃海鲜就痒) or it is named on its own
(尘螨). What follows an allergen the patient is allergic to is its reaction (过敏史), not a
symptom of today's illness, unless it is said to be now; the red flags are told which words
those were. Anywhere else a drug said with a reaction (吃了头孢以后拉肚子三天) stays what it
was: a medicine, and a symptom of this illness.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from conversations import nlu_cues as cues
from conversations.knowledge import Lexicon
from conversations.nlu_context import HISTORY_CUE, NOW_WORDS, RECURRING_NOW
from conversations.normalise import normalise

if TYPE_CHECKING:
    from conversations.nlu import Mention, Understanding
    from conversations.state import DialogueState

ALLERGY_QUESTIONS = frozenset({"allergy.drugs", "allergy.foods"})
SLOTS = {"drugs": "allergy.drugs", "foods": "allergy.foods", "other_allergens": "allergy.others"}
ALLERGEN_KINDS = tuple(SLOTS)
WINDOW = 2  # a reaction is said in the allergen's clause or in the next two
# 除了青霉素（以外），别的都不过敏 / 除了头孢没别的过敏: the exception is an allergy
_EXCEPT = re.compile(r"除了[^，,。；;！!？?没不无未]{1,20}[\s，,]*"
                     r"[^，,。；;！!？?]{0,8}?(?:没有?|不|无|未)[^，,。；;！!？?]{0,4}?过敏")
# Said of these days: 起疹子三天了 is today's rash, whatever allergy was named before it
_RECENT = re.compile(r"这几天|这两天|这阵子|这段时间|最近|近来|今天|昨天|前天|到现在|至今"
                     r"|[0-9一二两三四五六七八九十几半]+(?:天|周|个?星期|个多?月)多?了")
# 在吃阿司匹林 胃有点不舒服: a medicine taken now, with what it does now, is no allergy
_TAKING = re.compile(r"在吃|在用|在打|正在|一直吃|一直用|每天|天天|长期|常年")
# What a bare answer may hold besides the allergens (就是青霉素和头孢吧 / 对尘螨): no other words
_BARE = re.compile(r"[\s、，,。.!！和跟与及或还有也都吧啊呀呢嘛哦的了是就对我俺他她过敏类]*")
# Allergens of one list share what follows them (青霉素、头孢都过敏 起疹子)
_LISTED = re.compile(r"[\s、，,和跟与及或还有以及]*")
# 花粉过敏 … 还有乳胶手套: named next to an allergy in the answer, it is one more
_ALSO = re.compile(r"(?:还有|以及|另外|再就是|再有)(?:就是)?(?:对)?\s*$")
# 一吃海鲜就拉肚子 / 吃芒果嘴巴会肿: a reaction every time, said in the allergen's own clause
_HABIT = re.compile(r"一(?:吃|食|喝|用|打|碰|摸|撸|擦|贴|抹|涂|戴|接触|闻|沾|晒|吹)"
                    r"[^，,。；;]{0,8}?就"
                    r"|(?:吃|食|喝|用|打|碰|擦|贴|抹|涂)[^，,。；;\s]{0,8}?会(?!不会)")
# 用过阿达帕林凝胶 脸发红起皮就不敢用了: a treatment tried for this illness, its course
_TRIED = re.compile(r"(?:用|试|抹|涂|擦|吃)过|试了")
# 怕胃出血 / 会不会过敏: a worry, not what happened
_WORRY = re.compile(r"怕|担心|会不会|是不是|万一|听说")
# 左氧吃了头晕恶心 不敢吃: avoided since (not 怕胃出血 不敢吃, a fear: `hypothetical`)
_AVOIDED = re.compile(r"不敢(?:再)?(?:吃|食|喝|用|打|碰)|再也不(?:吃|用|打)")
# 药物不过敏 / 食物都不过敏: a denial of that kind only
_KIND_WORDS = {"allergy.drugs": re.compile(r"药|打针|输液"),
               "allergy.foods": re.compile(r"食物|吃的|食品|饮食")}
_SCOPE = re.compile(r"[，,。；;！!？?\n]+|\s+|但是|但|不过(?!敏)|可是|就是|只是|而是")
_NEGATOR = re.compile(r"没|不|无|未")
# 医生说不是过敏 是乳糖不耐受: the patient was told it is no allergy
_NOT_ALLERGY = re.compile(r"不是过敏|不算过敏|不耐受")


# 过敏 尘螨 猫毛 / 过敏的话 对造影剂: a message headed by the word, then the list
_FINE_AFTER = re.compile(r"[^，,。；;\s]{0,3}?(?:没事|没问题|不过敏|能用|能吃|都行|可以)")
_HEADED = re.compile(r"^(?:过敏(?!性)(?:史|的话|方面|呢|嘛)?)[：:，,\s]+")


def reread(text: str, mentions: tuple[Mention, ...], lexicon: Lexicon
           ) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
    """On every utterance (`nlu.understand`): the exception of a denial is an allergy, a dated
    past reaction makes one (`_past_reactions`), a reaction said with a recent time is today's
    symptom, and an `other_allergens` word said with no allergy word is set apart (养猫,
    搞装修天天吸灰尘: no allergy, no fact of the illness)."""
    excepted = [m.span() for m in _EXCEPT.finditer(text)]
    mentions = _past_reactions(text, mentions, lexicon)
    kept, apart, told = [], [], False
    headed = _HEADED.match(text)
    for m in mentions:
        if headed and m.kind in ALLERGEN_KINDS and not m.negated and m.start >= headed.end() \
                and not _FINE_AFTER.match(text, m.end):
            m = dataclasses.replace(m, allergy=True)  # 过敏 尘螨 猫毛: a list under its heading
        if m.kind in ALLERGEN_KINDS and any(s <= m.start and m.end <= e for s, e in excepted):
            m = dataclasses.replace(m, allergy=True, negated=False)
        if m.kind in ALLERGEN_KINDS and not m.negated and told \
                and _ALSO.search(text, _clause_of(_clauses(text), m.start)[0], m.start):
            m = dataclasses.replace(m, allergy=True)  # 对花粉过敏 查过的 还有尘螨
        told = told or (m.kind in ALLERGEN_KINDS and m.allergy and not m.negated)
        if m.reaction and _RECENT.search(text, *_clause_of(_clauses(text), m.start)):
            m = dataclasses.replace(m, reaction=False)
        (apart if m.kind == "other_allergens" and not m.allergy else kept).append(m)
    return tuple(kept), tuple(apart)


def in_interview(state: DialogueState, u: Understanding, lexicon: Lexicon) -> Understanding:
    """What the moment of the interview adds. In answer to the allergy question: `as_answer`.
    In the first message, a reaction after 花粉过敏 or 尘螨过敏 is why the patient came (花粉过敏
    打喷嚏流鼻涕), unlike a drug's old reaction. Later, a reaction told as a habit of an allergen
    (一吃海鲜就拉肚子, 吃芒果嘴巴会肿, 左氧吃了头晕恶心 不敢吃) is its allergy."""
    if state.current in ALLERGY_QUESTIONS:
        return as_answer(state, u, lexicon)
    if "chief_complaint.symptom" not in state.facts:
        allergies = [m for m in u.mentions if m.kind in ALLERGEN_KINDS and m.allergy]
        return dataclasses.replace(u, mentions=tuple(
            dataclasses.replace(m, reaction=False) if m.reaction and max(
                (a for a in allergies if a.end <= m.start), key=lambda a: a.end,
                default=m).kind == "other_allergens" else m for m in u.mentions))
    return _habits(u, lexicon)


def _habits(u: Understanding, lexicon: Lexicon) -> Understanding:
    """A drug, food or other allergen with an allergy reaction after it, said as what happens
    every time (一…就, …会) or as why it is avoided (不敢吃, 再也不用), not now: its allergy."""
    text, clauses = u.text, _clauses(u.text)
    if _NOT_ALLERGY.search(text):
        return u
    # 没有过敏 就是喝牛奶会拉肚子: what follows a plain denial, the patient counts no allergy
    denied = [d.start() for d in cues.NO_ALLERGY.finditer(text)
              if not any(w.search(text, *_scope_of(text, d.start())) for w in _KIND_WORDS.values())]
    mentions, changed = sorted([*u.mentions, *u.allergens], key=lambda m: (m.start, m.end)), False
    for group in _groups(text, [m for m in mentions if m.kind in ALLERGEN_KINDS
                                and not (m.negated or m.hypothetical)]):
        lo, hi = _window(text, clauses, group[-1])
        own = (_clause_of(clauses, group[0].start)[0], _clause_of(clauses, group[-1].start)[1])
        felt = [i for i, s in enumerate(mentions) if s.kind == "symptoms" and lo <= s.start < hi
                and not (s.negated or s.hypothetical) and s.concept in lexicon.allergy_reactions]
        tried = _TRIED.search(text, own[0], group[0].start)
        if not (_HABIT.search(text, *own) or (_AVOIDED.search(text, own[0], hi) and not tried)) \
                or any(d < group[0].start for d in denied) \
                or not (felt or _plain(lexicon, text, lo, hi)) \
                or _RECENT.search(text, own[0], hi) or RECURRING_NOW.search(text, own[0], hi) \
                or NOW_WORDS.search(text, own[0], hi):
            continue
        changed = True
        for i, m in enumerate(mentions):
            if m in group:
                mentions[i] = dataclasses.replace(m, allergy=True)
            elif i in felt:
                mentions[i] = dataclasses.replace(m, reaction=True)
    if not changed:
        return u
    return dataclasses.replace(u, mentions=tuple(
        m for m in mentions if m.kind != "other_allergens" or m.allergy), allergens=tuple(
        m for m in mentions if m.kind == "other_allergens" and not m.allergy))


def _groups(text: str, allergens: list[Mention]) -> list[list[Mention]]:
    """Allergens said as one list (青霉素、头孢都过敏) share what is said after the last."""
    groups: list[list[Mention]] = []
    for m in sorted(allergens, key=lambda m: m.start):
        if groups and _LISTED.fullmatch(text, groups[-1][-1].end, m.start):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _past_reactions(text: str, mentions: tuple[Mention, ...], lexicon: Lexicon
                    ) -> tuple[Mention, ...]:
    """去年吃头孢拉过肚子 / 小时候打青霉素起过疹子: a drug or food with a reaction, both dated to
    an earlier time and not back now, is an allergy or intolerance anywhere in the interview.
    Without the date (吃了头孢以后拉肚子三天) it stays a medicine and a symptom of this illness."""
    clauses = _clauses(text)
    out = list(mentions)
    for i, m in enumerate(mentions):
        if m.kind not in ("drugs", "foods") or m.allergy or m.negated or m.hypothetical:
            continue
        c_lo, c_hi = _clause_of(clauses, m.start)
        cue = list(HISTORY_CUE.finditer(text, c_lo, m.start))
        if not cue or RECURRING_NOW.search(text, cue[-1].end(), c_hi):
            continue
        felt = [j for j, s in enumerate(mentions) if s.kind == "symptoms" and s.history
                and not s.negated and s.concept in lexicon.allergy_reactions
                and m.end <= s.start < c_hi]
        if felt:
            out[i] = dataclasses.replace(m, allergy=True)
            for j in felt:
                out[j] = dataclasses.replace(out[j], reaction=True)
    return tuple(out)


def as_answer(state: DialogueState, u: Understanding, lexicon: Lexicon) -> Understanding:
    """The patient's answer to 您对什么药物/食物过敏吗: an allergen named alone or with a reaction
    after it is an allergy; the reactions said after it (the `allergy_reactions` symptoms and
    plain words) are its reaction, unless said to be now; a disease said with them (起风团 =
    荨麻疹, 花粉过敏 = 花粉症) is the allergy too, not a new illness. Anything else said after it
    (突然说话不清楚) stays what it is. The message in the transcript keeps where the reactions
    were told, for the red flags."""
    text, clauses = u.text, _clauses(u.text)
    said = sorted([*u.mentions, *u.allergens], key=lambda m: (m.start, m.end))
    named = [m for m in said if m.kind in ALLERGEN_KINDS
             and not (m.negated or m.hypothetical or m.other_person)]
    bare = bool(named) and bool(_BARE.fullmatch(_blanked(text, named)))
    felt = [m for m in said if m.kind == "symptoms" and not (m.negated or m.hypothetical)
            and m.concept in lexicon.allergy_reactions]
    allergic, spans = [], []
    for m in named:
        told = _told(lexicon, text, clauses, m, felt)
        taking = _TAKING.search(text, _clause_of(clauses, m.start)[0], m.start) \
            or _NOT_ALLERGY.search(text)
        if m.allergy or bare or (told and not taking):
            allergic.append(m)
            spans += [told] if told else []
    reactions = [s for s in said if s.kind == "symptoms" and not s.negated and (
        (s in felt and any(lo <= s.start < hi for lo, hi in spans))
        or any(_overlap(s, m) for m in allergic))]
    mentions, apart = [], []
    for m in said:
        if m in allergic:
            m = dataclasses.replace(m, allergy=True)
        elif m in reactions or (m.kind == "diseases" and any(
                _overlap(m, x) for x in [*allergic, *reactions])):
            m = dataclasses.replace(m, reaction=True, history=False)
        elif m.kind == "other_allergens":
            apart.append(m)
            continue
        mentions.append(m)
    last = state.transcript[-1] if state.transcript else None
    if last is not None and last.role == "patient" and normalise(last.text) == text:
        last.allergy_told = [list(span) for span in spans]
    return dataclasses.replace(u, mentions=tuple(mentions), allergens=tuple(apart))


def reactions(u: Understanding, lexicon: Lexicon) -> dict[str, list[str]]:
    """Each allergy's reaction in 过敏史 words: the reaction terms (or, with none, plain words
    such as 肿了一大块) said after it and before the next allergen; allergens listed together
    share them (青霉素 头孢都过敏 起疹子), one said apart has its own (花粉过敏 头孢也过敏
    吃了喘)."""
    text, clauses = u.text, _clauses(u.text)
    groups = _groups(text, [m for m in u.mentions if m.kind in ALLERGEN_KINDS and m.allergy
                            and not m.negated])
    found: dict[str, list[str]] = {}
    for i, group in enumerate(groups):
        lo, hi = _window(text, clauses, group[-1])
        hi = min(hi, groups[i + 1][0].start) if i + 1 < len(groups) else hi
        words = []
        for c_lo, c_hi in clauses:
            a, b = max(lo, c_lo), min(hi, c_hi)
            if a >= b:
                continue
            terms = [lexicon.allergy_reactions.get(s.concept) or lexicon.name(s.kind, s.concept)
                     for s in u.mentions if s.kind == "symptoms" and s.reaction
                     and not s.negated and a <= s.start < b]
            words += terms or _plain(lexicon, text, a, b)
        for m in group:
            found.setdefault(m.concept, []).extend(words)
    return {concept: list(dict.fromkeys(words)) for concept, words in found.items() if words}


def denied(u: Understanding) -> list[str]:
    """The allergy slots a denial answers: 没有过敏 → drug allergies, 药物不过敏 → drug allergies,
    食物都不过敏 → food allergies — each unless an allergy of that kind is named in the same
    message (没别的过敏 青霉素过敏). A denial of one named substance (青霉素不过敏) answers none."""
    text = u.text
    named = {SLOTS[m.kind] for m in u.mentions
             if m.kind in ALLERGEN_KINDS and m.allergy and not m.negated}
    keys: list[str] = []
    for match in cues.NO_ALLERGY.finditer(text):
        lo, hi = _scope_of(text, match.start())
        hi = max(hi, match.end())
        if any(m.kind in ALLERGEN_KINDS and lo <= m.start < hi
               for m in [*u.mentions, *u.allergens]):
            continue
        kinds = [key for key, words in _KIND_WORDS.items() if words.search(text, lo, hi)]
        keys += kinds or ["allergy.drugs"]
    return [key for key in dict.fromkeys(keys) if key not in named]


def told_spans(told: list[list[int]] | None) -> list[tuple[int, int]]:
    """The spans a message's `allergy_told` holds, tolerant of what an older state stored."""
    return [(int(s[0]), int(s[1])) for s in told or () if isinstance(s, list | tuple)
            and len(s) == 2 and all(isinstance(x, int) for x in s)]


def _plain(lexicon: Lexicon, text: str, lo: int, hi: int) -> list[str]:
    """Reactions said in plain words in text[lo:hi], one per clause, not denied."""
    words = []
    for c_lo, c_hi in _clauses(text):
        a, b = max(lo, c_lo), min(hi, c_hi)
        if _WORRY.search(text, a, b):
            continue
        said = [(found, wording) for pattern, wording in lexicon.allergy_reaction_words.items()
                for found in [re.search(pattern, text[a:b])] if found]
        if said and not _NEGATOR.search(text, max(a, a + said[0][0].start() - 2),
                                        a + said[0][0].start()):
            words.append(said[0][1])  # 不痒 / 没肿: denied
    return words


def _told(lexicon: Lexicon, text: str, clauses: list[tuple[int, int]], m: Mention,
          felt: list[Mention]) -> tuple[int, int] | None:
    """From the allergen's clause to the last clause of its window that tells a reaction (a
    reaction term or plain words), or None when none does."""
    lo, hi = _window(text, clauses, m)
    ends = [c_hi for c_lo, c_hi in clauses if c_hi > lo and c_lo < hi and (
        any(max(lo, c_lo) <= s.start < min(hi, c_hi) for s in felt)
        or _plain(lexicon, text, max(lo, c_lo), min(hi, c_hi)))]
    return (_clause_of(clauses, m.start)[0], min(max(ends), hi)) if ends else None


def _window(text: str, clauses: list[tuple[int, int]], m: Mention) -> tuple[int, int]:
    """Where the reaction of an allergen is said: after it, to the end of its clause or of the
    next two, stopping before a clause said of now or of these days (刚吃了头孢 嗓子发紧,
    现在喘不上气): that is happening, not told as an allergy."""
    index = next(i for i, (lo, hi) in enumerate(clauses) if m.start < hi)
    hi = m.end
    for c_lo, c_hi in clauses[index:index + WINDOW + 1]:
        if NOW_WORDS.search(text, c_lo, c_hi) or _RECENT.search(text, c_lo, c_hi):
            break
        hi = c_hi
    return m.end, hi


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for match in cues.CLAUSE.finditer(text):
        if match.start() > at:
            spans.append((at, match.start()))
        at = max(at, match.end())
    return [*spans, (at, len(text))] if at < len(text) or not spans else spans


def _clause_of(clauses: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return next(((lo, hi) for lo, hi in clauses if pos < hi), clauses[-1] if clauses else (0, 0))


def _scope_of(text: str, pos: int) -> tuple[int, int]:
    lo, hi = 0, len(text)
    for match in _SCOPE.finditer(text):
        if match.end() <= pos:
            lo = match.end()
        elif match.start() > pos:
            hi = match.start()
            break
    return lo, hi


def _blanked(text: str, mentions: list[Mention]) -> str:
    chars = list(text)
    for m in mentions:
        chars[m.start:m.end] = [" "] * (m.end - m.start)
    return "".join(chars)


def _overlap(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end
