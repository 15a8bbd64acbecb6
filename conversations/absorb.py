"""Turn what the patient said (an `Understanding`) into facts on the dialogue state.

Free text fills any slot it speaks to, whatever was asked: "头疼三天了，有点恶心，以前有高血压，
青霉素过敏" fills five. The last word wins for a scalar (a correction overwrites); lists grow.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from conversations import allergy
from conversations.complaint_length import dates_an_old_illness, is_age, length_wins
from conversations.facts import add_to_list, deny_list, set_fact
from conversations.informant import typing_parent
from conversations.knowledge import Lexicon
from conversations.nlu import Mention, Understanding, normalise, understand
from conversations.nlu_context import span_between
from conversations.nlu_sites import feeling_at
from conversations.occupations import is_job_noun
from conversations.relatives import (
    add_relatives_illness,
    family_name,
    parents_own,
    relatives_symptom,
    same_in_relatives,
)
from conversations.state import DialogueState, SymptomFact

HISTORY_KINDS = {"chronic_diseases": "past.chronic_diseases", "operations": "past.operations",
                 "infectious_diseases": "past.infectious_diseases"}
FEVER_THRESHOLD = 37.3
_MIGRATION = re.compile(r"跑到|转到|移到|挪到|转移到|窜到了|现在到了")
_VOCATIVE = re.compile(r"^\s*(?:医生|大夫|护士|老师|专家)(?:你好|您好)?[，,。！!\s]+")
_NOT_THE_SITE = re.compile(r"也|还有|到|窜|放射|连着|片子|ct|b超|拍|检查|有劲|正常|没事|不疼|不痛")
_TIMES_RANGE = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九十])(?:次|回|趟)")
_CN_DIGIT = {c: str(i) for i, c in enumerate("零一二三四五六七八九十")} | {"两": "2"}
_LONG_TERM = re.compile(r"一直(在)?吃|长期|常年|多年|好多年|每天都吃|天天吃")
OCCUPATION = "personal.occupation"
_SCORE = re.compile(r"(\d+|[一二三四五六七八九十])\s*分")
_WHEN = re.compile(r"时候|的时|以后|之后|以前[^是在]|那天|那会")  # 开车的时候: when, not a job
_ASKED = re.compile(r"是不是|会不会|是否|吗|呢|[？?]")


def _symptoms(state: DialogueState, u: Understanding, lexicon: Lexicon) -> None:
    """Symptoms the patient has, had in this illness, or denies. A question or worry (会不会…),
    someone else's illness and an allergy's old reaction are not the patient's symptoms; a denial
    does not erase what was affirmed earlier unless it corrects it (平时不喘 after 爬楼气短)."""
    for mention in u.mentions:
        if mention.kind != "symptoms" or mention.family or mention.hypothetical \
                or mention.other_person or mention.reaction \
                or (mention.history and parents_own(state, u, mention)):
            continue
        if mention.relative and not mention.negated and relatives_symptom(state, u, mention):
            add_relatives_illness(state, mention, lexicon, u.text)  # 我妈耳背好多年了
            continue
        known = state.symptoms.get(mention.concept)
        if mention.negated and known and known.present and not u.correction:
            continue
        if mention.history and not (known and known.present and not known.history):
            state.symptoms[mention.concept] = SymptomFact(
                concept=mention.concept, present=not mention.negated, words=mention.text,
                turn=state.turn, uncertain=mention.uncertain, history=True)
            continue
        if mention.history:
            continue
        state.symptoms[mention.concept] = SymptomFact(
            concept=mention.concept, present=not mention.negated, words=mention.text,
            turn=state.turn, uncertain=mention.uncertain, resolved=mention.resolved)


LESION_PAIN = "local_pain"


def _unplaced_feelings(state: DialogueState, u: Understanding, lexicon: Lexicon) -> None:
    """不肿 / 又红又烫 said alone: of the site the patient last named (右边膝盖疼 … 不肿); with
    no site named, a pain or blood is the complaint's own (尿频 … 不疼 / 没见血)."""
    site = state.last_site
    chief = state.facts.get("chief_complaint.symptom")
    own = {"pain": lexicon.complaint_pain, "bleeding": lexicon.complaint_bleeding}
    lesion = chief is not None and own["pain"].get(str(chief.value)) == LESION_PAIN
    for kind, word, negated in u.unplaced_feelings:
        if kind == "pain" and lesion:  # 背上有个疙瘩 … 不疼: the lump, not the back
            concept = LESION_PAIN
        else:
            concept = feeling_at(lexicon, kind, word, site) \
                if site and kind != "bleeding" else None
        if concept is None and chief is not None and kind in own and (
                kind == "bleeding" or site is None):
            concept = own[kind].get(str(chief.value))
        if concept is None and kind == "bleeding" and state.patient.pregnant:
            concept = "vaginal_bleeding"  # 怀孕了 … 没出血: the bleeding that matters
        known = state.symptoms.get(concept) if concept else None
        if concept is None or (negated and known and known.present):
            continue
        state.symptoms[concept] = SymptomFact(concept=concept, present=not negated,
                                              words=word, turn=state.turn)


def _history(state: DialogueState, u: Understanding, words: str, lexicon: Lexicon) -> None:
    """Past illnesses, family history with who had it (母亲高血压), allergies with their
    reaction, medicines. A worry (怕是胃癌) or someone else's illness is none of these."""
    background = any(m.kind in HISTORY_KINDS and not m.negated and not m.family
                     for m in u.mentions) or bool(_LONG_TERM.search(u.text))
    parent_said = any(parents_own(state, u, m) for m in u.mentions if m.kind in HISTORY_KINDS)
    parent = typing_parent([m.text for m in state.transcript if m.role == "patient"]) \
        if parent_said else None
    reactions = allergy.reactions(u, lexicon)
    for mention in u.mentions:
        if mention.hypothetical or mention.other_person:
            continue
        if parent_said and mention.kind in HISTORY_KINDS and not mention.family \
                and parents_own(state, u, mention):
            if parent and not mention.negated:  # 她妈甲亢 我痛风: the father types
                add_to_list(state, "family.history",
                            f"{parent}{family_name(mention, lexicon)}", words)
            continue  # a parent's own illness is never the child's past history
        if mention.kind == "diseases" and mention.family and not any(
                m.kind in HISTORY_KINDS and m.family and m.start < mention.end
                and mention.start < m.end for m in u.mentions):
            add_relatives_illness(state, mention, lexicon, words)
            continue
        if mention.kind in HISTORY_KINDS and mention.uncertain \
                and _ASKED.search(_clause_of(u.text, mention.start)):
            continue  # 是不是癌 / 淋巴瘤会不会: a worry asked about, not a past illness
        if mention.kind in HISTORY_KINDS:
            key = "family.history" if mention.family else HISTORY_KINDS[mention.kind]
            if mention.negated:
                deny_list(state, key, words)
            elif mention.family:
                add_relatives_illness(state, mention, lexicon, words)
            else:
                add_to_list(state, key, mention.concept, words)
        elif mention.kind in allergy.SLOTS and mention.allergy and not mention.negated:
            add_to_list(state, allergy.SLOTS[mention.kind], mention.concept, words)
            _reaction(state, mention.concept, reactions.get(mention.concept, []), words)
        elif mention.kind == "drugs" and not mention.negated and not mention.allergy:
            # 以前有高血压，一直吃硝苯地平: a long-term drug for a known illness is past history.
            key = "past.medications" if background else "present_illness.medications"
            add_to_list(state, key, mention.concept, words)
    for key in allergy.denied(u):  # 药物不过敏，就是花粉过敏: drugs denied, pollen kept
        deny_list(state, key, words)


def _clause_of(text: str, pos: int) -> str:
    lo, hi = span_between(_CLAUSES, text, pos, pos)
    return text[lo:hi]


def _reaction(state: DialogueState, allergen: str, reactions: list[str], words: str) -> None:
    """过敏史 with the reaction: 青霉素过敏，起一身疹子 → allergy.reactions {penicillin: 皮疹}."""
    if not reactions:
        return
    fact = state.facts.get("allergy.reactions")
    value = dict(fact.value) if fact and isinstance(fact.value, dict) else {}
    known = [r for r in value.get(allergen, "").split("、") if r]
    value[allergen] = "、".join(dict.fromkeys([*known, *reactions]))
    set_fact(state, "allergy.reactions", value, words)


def _describers(state: DialogueState, u: Understanding, current: str | None) -> None:
    """The site of the complaint: the first body site said of it. A site said as a secondary
    place (左胳膊也酸, 疼到大腿后面), of a test (颈椎片子) or of what is fine (手脚都有劲) is
    not it."""
    sites = [m for m in u.mentions if m.kind == "body_sites" and not m.negated]
    if len(sites) >= 2 and _MIGRATION.search(u.text):  # 开始在肚脐周围 现在跑到右下边了
        said = f"由{sites[0].text}转移至{sites[-1].text}"
        set_fact(state, "present_illness.site", said, said)
        return
    for mention in u.mentions:
        if mention.negated or mention.family or mention.hypothetical:
            continue
        if mention.kind == "body_sites" and (
                current == "present_illness.site" or "present_illness.site" not in state.facts) \
                and not _NOT_THE_SITE.search(_clause_of(u.text, mention.start)):
            set_fact(state, "present_illness.site", mention.text, mention.text)
        elif mention.kind == "characters" and (current == "present_illness.character"
                                                or "present_illness.character" not in state.facts):
            set_fact(state, "present_illness.character", mention.text, mention.text)


def _measures(state: DialogueState, u: Understanding, words: str, current: str | None) -> None:
    if u.duration and length_wins(state, u, current):
        has_symptom = any(m.kind == "symptoms" for m in u.mentions)
        if current in {"chief_complaint.duration", "chief_complaint.symptom"} or has_symptom \
                or u.correction or state.complaint:
            set_fact(state, "chief_complaint.duration", u.duration.days, u.duration.text,
                     uncertain=u.duration.approximate)
    elif u.since and (current == "chief_complaint.duration" or (
            "chief_complaint.duration" not in state.facts and not is_age(state, u)
            and not dates_an_old_illness(u)
            and any(m.kind == "symptoms" and not (m.negated or m.history or m.family
                                                  or m.other_person) for m in u.mentions))):
        # 昨天吃了烧烤，晚上开始拉: asked how long, a day said on its own is the start; said with
        # the complaint before anyone asks (右边腰疼 昨天夜里疼醒的), it is the start too
        set_fact(state, "chief_complaint.duration", u.since.days, u.since.text, uncertain=True)
    explicit = _SCORE.search(words) is not None  # "有8分" beats an earlier "疼得厉害"
    if u.severity is not None and (current == "present_illness.severity" or u.correction
                                   or explicit or "present_illness.severity" not in state.facts):
        set_fact(state, "present_illness.severity", u.severity, words)
    elif u.severity is None and u.intensity and (
            current == "present_illness.severity" or "present_illness.severity" not in state.facts):
        set_fact(state, "present_illness.severity", u.intensity, words)
    if u.temperature is not None:
        set_fact(state, "present_illness.extra.max_temperature", f"{u.temperature:.1f}℃", words)
        if u.temperature >= FEVER_THRESHOLD and "fever" not in state.symptoms:
            state.symptoms["fever"] = SymptomFact("fever", True, words, state.turn)
    if u.times_per_day is not None and state.complaint in {"diarrhoea", "child_diarrhoea"}:
        span = _TIMES_RANGE.search(u.text)  # 一天三四次 is 3～4次, not 3
        count = f"{_CN_DIGIT[span[1]]}～{_CN_DIGIT[span[2]]}" if span else u.times_per_day
        set_fact(state, "present_illness.extra.stool_frequency", f"每天{count}次", words)
    if u.for_relative and "present_illness.informant" not in state.facts and not any(
            m.relative and relatives_symptom(state, u, m) for m in u.mentions):
        set_fact(state, "present_illness.informant", "家属代述", words)
    for habit, summary in u.habits.items():
        set_fact(state, f"personal.{habit}", summary, words)
    if u.pregnant is not None:
        state.patient.pregnant = u.pregnant
        set_fact(state, "obstetric.pregnant", "已怀孕" if u.pregnant else "未怀孕", words)


def _diseases(state: DialogueState, u: Understanding) -> None:
    """Named diseases and findings of the patient (高血压, 甲状腺结节4a类): they drive triage.
    A worry (怕是…) counts as uncertain; a relative's or someone else's does not count."""
    symptom_spans = [(m.start, m.end) for m in u.mentions if m.kind == "symptoms"]
    for mention in u.mentions:
        if mention.kind == "body_sites" and not (mention.negated or mention.family
                                                 or mention.other_person or mention.hypothetical):
            state.sites.setdefault(mention.concept, mention.text)
        if mention.kind != "diseases" or mention.family or mention.other_person \
                or mention.reaction or parents_own(state, u, mention):
            continue
        if any(s <= mention.start and mention.end <= e for s, e in symptom_spans):
            continue  # 感冒 is already counted as the symptom it names
        state.diseases[mention.concept] = SymptomFact(
            concept=mention.concept, present=not mention.negated, words=mention.text,
            turn=state.turn, uncertain=mention.uncertain or mention.hypothetical,
            history=mention.history or _background(state, u, mention))


# 还有乳腺增生 / 他有食管裂孔疝, said once the complaint is known: an illness the patient lives with
_HAS_BEFORE = re.compile(r"(?:^|[\s，,；;]|还|也|都|本身|本来|一直|我|他|她|俺|人家)有(?:点|个)?$"
                         r"|查出(?:来)?(?:有|是)?$")
_NOW_IN_CLAUSE = re.compile(r"这次|这回|现在|最近|这两天|今天|刚|是不是|会不会")


def _background(state: DialogueState, u: Understanding, mention: Mention) -> bool:
    chief = state.facts.get("chief_complaint.symptom")
    if chief is None or chief.turn >= state.turn or mention.negated or mention.uncertain:
        return False
    clause = _clause_of(u.text, mention.start)
    asked = (state.current or "").startswith("past.")  # named in answer to 以前得过什么病
    return (asked or bool(_HAS_BEFORE.search(u.text[max(mention.start - 5, 0):mention.start]))) \
        and not _NOW_IN_CLAUSE.search(clause)


def absorb(state: DialogueState, u: Understanding, words: str, lexicon: Lexicon) -> None:
    """Apply everything the utterance says; the caller then answers the open question."""
    u = allergy.in_interview(state, u, lexicon)  # 头孢吃了拉肚子, said when asked for allergies
    _symptoms(state, u, lexicon)
    _diseases(state, u)
    _unplaced_feelings(state, u, lexicon)
    state.last_site = u.sites[-1] if u.sites else state.last_site
    _history(state, u, words, lexicon)
    same_in_relatives(state, u, words)
    _describers(state, u, state.current)
    _measures(state, u, words, state.current)


_CLAUSES = re.compile(r"[，,。；;！!？?\s]+")
_CONSUMING_KINDS = {"chronic_diseases", "operations", "infectious_diseases", "drugs", "foods",
                    "other_allergens"}
NONE_CUE = ".none"
def _said_something_else(u: Understanding) -> bool:
    """The clause was about a term, a number or a habit: it filled its own slots already."""
    return bool(u.mentions or u.duration or u.severity is not None or u.temperature is not None
                or u.times_per_day is not None or u.habits or u.pregnant is not None
                or u.no_known_allergy)


def _job_said(clause: str, u: Understanding, job_name: Callable[[str], str]) -> bool:
    """A short clause that is only a job (厨子, 一年级, 开网约车), nothing felt or asked."""
    return len(clause) <= 10 and not u.mentions and not _ASKED.search(clause) \
        and not _WHEN.search(clause) and (job_name(clause) != clause or is_job_noun(clause))


def _pupil(state: DialogueState, clause: str, job_name: Callable[[str], str]) -> bool:
    """四年级, said of a child nobody asked about work: the note records 学生."""
    return state.patient.is_child and job_name(clause) == "学生"


def route_clauses(state: DialogueState, lexicon: Lexicon, cues: dict[str, re.Pattern[str]],
                  message: str, applicable: Callable[[str], bool],
                  job_name: Callable[[str], str] = str) -> list[str]:
    """File each clause under the slot its cue names; return the clauses left unexplained.

    "吃了去痛片好一点，我是退休工人" fills treatment and occupation whatever was asked; what is
    left over is the patient's answer to the open question.
    """
    free: list[str] = []
    message = _VOCATIVE.sub("", normalise(message))  # 医生，我… addresses, it is no occupation
    for clause in filter(None, _CLAUSES.split(message)):
        u = understand(clause, lexicon)
        # 卖海鲜的 is a job: a food counts as history only when it is an allergy
        history_terms = any(m.kind in _CONSUMING_KINDS and m.kind != "drugs"
                            and (m.kind != "foods" or m.allergy) for m in u.mentions)
        slot = next((key for key, cue in cues.items() if applicable(key.removesuffix(NONE_CUE))
                     and cue.search(clause)), None)
        if slot == OCCUPATION and _ASKED.search(clause):
            slot = None  # 是不是吹风吹的 is a worry, not a job
        elif slot is None and (applicable(OCCUPATION) or _pupil(state, clause, job_name)) \
                and _job_said(clause, u, job_name) and (
                OCCUPATION not in state.facts or state.current == OCCUPATION):
            slot = OCCUPATION  # 我是厨子 / 一年级: a job the cue's frame did not catch
        if slot and not history_terms:
            if slot.endswith(NONE_CUE):
                deny_list(state, slot.removesuffix(NONE_CUE), clause)
            elif slot == state.current or slot not in state.facts \
                    or state.facts[slot].turn == state.turn:
                previous = state.facts.get(slot)
                if slot == OCCUPATION:  # 我送快递的 → 快递员; the words stay with the fact
                    said = clause if previous is None or previous.turn != state.turn \
                        else f"{previous.words} {clause}"  # 退休了 以前是开车的
                    set_fact(state, slot, job_name(said), said)
                    continue
                text = clause if previous is None or previous.turn != state.turn \
                    else f"{previous.value}，{clause}"
                set_fact(state, slot, text, text)
            continue
        if not _said_something_else(u):
            free.append(clause)
    return free
