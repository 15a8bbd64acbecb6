"""What a patient typed, as slots: concepts, negation, allergies, history, quantities, intents.

Rules, not a model: every decision can be explained to a clinician, runs in well under a
millisecond, and a misread sentence becomes one more test case. Offsets (`Mention.start/end`)
index `Understanding.text`, the normalised utterance; `Mention.text` and `Duration.text` are the
words exactly as the patient typed them, for quoting back.
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from conversations import allergy as allergies
from conversations import informant
from conversations import nlu_context as ctx
from conversations import nlu_cues as cues
from conversations import nlu_numbers as qty
from conversations import nlu_sites as sites
from conversations.knowledge import Lexicon
from conversations.nlu_compose import compositions
from conversations.nlu_duration import complaint_duration, retracted
from conversations.nlu_intents import (
    AFFIRM,
    BACK,
    BACK_BARE,
    COMPACT,
    CORRECTION,
    DENY,
    PREVIOUS,
    SKIP,
    SKIP_BARE,
    UNKNOWN,
    not_an_answer,
)
from conversations.nlu_matcher import GENERIC_LUMP, matcher, sites_inside
from conversations.nlu_numbers import parse_chinese_number
from conversations.nlu_pregnancy import pregnancy_said
from conversations.nlu_readings import blood_pressure, night_voiding
from conversations.nlu_types import Duration, Mention, Understanding
from conversations.normalise import _normalise, normalise, normalise_mapped

__all__ = ["Duration", "Mention", "Understanding", "normalise", "normalise_mapped",
           "not_an_answer",
           "parse_chinese_number", "understand"]


def _cut(n: int, separators: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans, at = [], 0
    for s, e in sorted(separators):
        if s > at:
            spans.append((at, s))
        at = max(at, e)
    return [*spans, (at, n)] if at < n or not spans else spans


def _span_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return spans[max(bisect.bisect_right(spans, (pos, 1 << 30)) - 1, 0)]


def _not_negation(text: str, tok: str, s: int, e: int) -> bool:
    """不知道 / 不舒服 / 疼不疼 / 有没有 / 睡不着: a 不 or 没 that negates no mention."""
    after, before = text[e:e + 4], text[s - 1:s]
    if tok == "无" and after.startswith(("名指", "缘无故", "故")):  # 无名指 is a finger, 无故
        return True
    if tok.endswith("不") and after.startswith("过") and not after.startswith("过敏"):
        return True
    if cues.NOT_NEGATION.match(after) or (
            tok in ("不", "没") and before and after.startswith(before)):
        return True
    if tok in ("不会", "不是", "没有") and before == tok[1]:
        return True
    return tok == "不" and before in cues.VERB and after[:1] in cues.COMPLEMENT


class _Reader:
    """One utterance being read: normalised text, lexicon hits, clause spans and topics."""

    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.raw = text
        self.text, self.index = _normalise(text)
        found = matcher(lexicon).find(self.text) + compositions(lexicon).find(self.text)
        self.covered = bytearray(len(self.text))
        for s, e, _kind, _id in found:
            self.covered[s:e] = b"\x01" * (e - s)
        pains, self.inner_negated = sites.site_pains(self.text, found, self.covered, lexicon)
        # 外阴长了个包: the site's own lump replaces the generic lump it overlaps
        found = [h for h in found if not (h[3] == GENERIC_LUMP and any(
            p[0] <= h[0] < p[1] for p in pains if p[3] in lexicon.site_lump.values()))]
        shorts = ctx.short_forms(self.text, self.covered, lexicon.short_forms)
        normal = sites.normal_functions(self.text, lexicon)
        # 晚上不出汗 / 痰里没血: the function's reading replaces the terms inside it
        found, shorts = ([h for h in hits if h[2] != "symptoms" or not any(
            n[0] <= h[0] and h[1] <= n[1] and (n[0], n[1]) != (h[0], h[1]) for n in normal)]
            for hits in (found, shorts))
        readings, normal_readings = blood_pressure(self.text, lexicon)
        readings += night_voiding(self.text, lexicon)
        readings = [h for h in readings if not any(self.covered[h[0]:h[1]])]
        self.inner_negated |= normal_readings
        named = {(s, cid) for s, _e, _k, cid in found}
        # 眼睛好像有点突: a site inside the function's words does not hide it; a symptom term does
        said = bytearray(len(self.text))
        for s, e, kind, _cid in found:
            if kind != "body_sites":
                said[s:e] = b"\x01" * (e - s)
        impaired = [h for h in sites.impaired_functions(self.text, lexicon)
                    if not any(said[h[0]:h[1]]) and (h[0], h[3]) not in named]
        self.inner_negated |= {h[0] for h in normal}
        named_sites = [h for h in found if h[2] == "body_sites"] + \
            sites_inside(self.text, [h for h in found if h[2] == "symptoms"], lexicon)
        # A denied site's pain is not a site of the illness: 胸口也不疼 keeps no 胸口.
        found = [h for h in found if not (h[2] == "body_sites" and h[0] in self.inner_negated)]
        joined = sites.joined_site_pains(self.text, sorted(found + pains), lexicon) \
            + sites.site_then_pain(self.text, sorted(found + pains), lexicon)
        foreign = sites.foreign_bodies(self.text, found, lexicon)
        readings_so_far = [h for h in found + pains + shorts + normal + impaired + joined
                           if h[2] == "symptoms"]
        placed, self.unplaced = self.place_feelings(found, named_sites, lexicon,
                                                    [e for _s, e, _k, _c in readings_so_far])
        self.sites = [cid for _s, _e, _k, cid in sorted(named_sites)]
        self.found = sorted(found + pains + shorts + normal + impaired + joined + foreign + placed
                            + readings)
        for s, e, _kind, _id in self.found:
            self.covered[s:e] = b"\x01" * (e - s)
        self.ends = {s: e for s, e, _kind, _id in self.found}
        self.masked = "".join("\x00" if hit else ch for ch, hit in zip(self.text, self.covered,
                                                                         strict=True))
        breaks = [m.span() for m in cues.CLAUSE.finditer(self.text)]
        self.clauses = _cut(len(self.text), breaks)
        self.scopes = _cut(len(self.text), breaks + [m.span() for m in self.outside(cues.CONTRAST)])
        self.topics = sorted(
            [(s, e, cues.KIND_TOPIC.get(k, "symptom")) for s, e, k, _ in self.found]
            + [(*m.span(), str(m.lastgroup)) for m in self.outside(cues.TOPIC)])

    def place_feelings(self, found: list[tuple[int, int, str, str]],
                       named_sites: list[tuple[int, int, str, str]], lexicon: Lexicon,
                       reading_ends: list[int]
                       ) -> tuple[list[tuple[int, int, str, str]], list[tuple[str, str, bool]]]:
        """A feeling said on its own is of the last site named before it in the utterance
        (右脚踝崴了 当时就肿起来了, 腿不肿 也不红); with none named, the dialogue places it."""
        named = sorted((s, cid) for s, _e, _kind, cid in named_sites)
        placed, unplaced = [], []
        chained = sites.chained_feelings(self.text, reading_ends)
        for start, end, kind, word, negated in sites.bare_feelings(self.text) + chained:
            if any(s < end and start < e and k != "characters" for s, e, k, _ in found):
                continue  # a term already reads this clause (隐隐作痛 only says how it hurts)
            site = next((cid for s, cid in reversed(named) if s < start), None)
            concept = sites.feeling_at(lexicon, kind, word, site) if site else None
            if concept:
                placed.append((start, end, "symptoms", concept))
                if negated:
                    self.inner_negated.add(start)
            elif site is None:
                unplaced.append((kind, word, negated))
        return placed, unplaced

    def outside(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """Cue words that are not part of a lexicon term (四肢无力 holds no negation), read with
        the terms blanked out so a cue that runs into a term keeps its own part (没|有痰)."""
        return list(pattern.finditer(self.masked))

    def original(self, start: int, end: int) -> str:
        return self.raw[self.index[start]:self.index[end - 1] + 1] if end > start else ""

    def after(self, end: int, limit: int) -> int:
        """Where the words about a mention go on: past joiners (和/、/也) and further mentions."""
        pos = end
        while True:
            # a `*` pattern: None only past limit
            skipped = cues.POST_SKIP.match(self.text, pos, limit)
            pos = skipped.end() if skipped else pos
            if pos not in self.ends:
                return pos
            pos = self.ends[pos]

    def attach(self, start: int, end: int) -> tuple[int, int, str] | None:
        """The topic a quantity is said of: the last one before it in its scope, else the next
        (头疼三天 / 三天前开始头疼 / 抽烟二十年 / 糖尿病十年了)."""
        lo, hi = _span_of(self.scopes, start)
        before = [t for t in self.topics if lo <= t[0] and t[1] <= start]
        if before:
            return before[-1]
        return next((t for t in self.topics if end <= t[0] < hi), None)


_FAMILY_STATEMENT = re.compile(r"[\s，,]?(?:也|都|以前|年轻时候?|早年)*(?:有|得过|患过|有过|是)")
# 她爸肠胃也不好 十二指肠溃疡 / 我妈好像也贫血 说是地中海贫血: a relative who opens the sentence
# with their own ill health (也, 不好, 毛病) is what its later clauses are about; 我爸七十二 体检…
# introduces the patient.
_TOPIC_OF_SENTENCE = re.compile(r"\s*(?:我|俺|他|她|孩子|娃|宝宝)?(?:们|家)?的?")
_TOPIC_PREDICATE = re.compile(r"[^，,\s。；;]{0,4}(?:也|都)|[^，,\s。；;]{0,6}(?:不好|毛病|病)")
_NEXT_CLAUSE_STATEMENT = re.compile(r"[\s，,]+(?:也|都|以前|年轻时候?|早年)*(?:得过|患过|有过)"
                                    # 我妈五十岁绝经 有骨质疏松: her age, then what she has
                                    r"|[0-9一二两三四五六七八九十几多]+岁[^，,\s。；;]{0,4}[\s，,]+有")
_LIKE_ME = re.compile(r"[^，,\s。；;]{0,4}?(?:也|都)")


def _told_for_a_relative(r: _Reader) -> bool:
    """我妈头晕三天了 / 孩子发烧: a relative is the one with the symptoms."""
    subjects = [(m.end(), cues.KIN[m[0]]) for m in r.outside(cues.SUBJECT) if not m["self"]
                and not _FAMILY_STATEMENT.match(r.text, m.end())]
    return any(kind == "symptoms" and any(end <= s and group for end, group in subjects)
               for s, _e, kind, _id in r.found)


# 青霉素 头孢都过敏 / 花粉 柳絮 杨毛都过敏: each allergen of the list before 都过敏
_ALL_ALLERGIC = re.compile(r"(?:[\s、，,和跟与及]{1,3}[^\s、，,。；;！？过]{1,6}){1,4}?"
                           r"(?:都|全|也都)过敏")
# 我妈也就是孩子外婆 / 我舅舅就是她哥 / 孩子外婆: the later word names the relative
_KIN_WORD = "(?:" + "|".join(sorted(ctx.KIN_NAMES, key=len, reverse=True)) + ")"
# 我姥爷 她爸 也是心衰走的: named twice side by side, one person
_SAME_PERSON = re.compile(r"(?:(?:也|那)?就是(?:孩子|宝宝|娃|他|她)?|\s+(?:孩子|他|她|我))"
                          r"的?(?:大|二|三|小)?" + _KIN_WORD)
_CHILDS = re.compile("的?" + _KIN_WORD)
_APPOSED = re.compile(r"(?:就是(?:孩子|宝宝|娃|他|她)?|\s(?:孩子|他|她|我))的?(?:大|二|三|小)?$")


def _mentions(r: _Reader, lexicon: Lexicon) -> tuple[Mention, ...]:
    """Each lexicon hit with the context of its clause: a negator or hedge before it in its scope
    (clause up to 但/不过), a relative as subject, 过敏 anywhere in the scope, 以前 before it."""
    text = r.text
    events = [(m.start(), m.end(), m.lastgroup) for m in r.outside(cues.POLARITY)
              if m.lastgroup != "neg" or not _not_negation(text, m[0], m.start(), m.end())]
    unsure = sorted([(m.end(), True) for m in r.outside(cues.UNSURE)]
                    + [(m.end(), False) for m in r.outside(cues.UNSURE_END)])
    allergy_cues = [m.start() for m in cues.ALLERGY.finditer(text)]  # 起疹子 may be a term too
    no_allergy = [m.start() for m in cues.NO_ALLERGY.finditer(text)]
    past = [(m.end(), not m["now"]) for m in r.outside(cues.PAST)]
    now = [m.start() for m in cues.NOW.finditer(text)]
    subjects = [(m.end(), "self" if m["self"] else cues.KIN[m[0]]) for m in r.outside(cues.SUBJECT)]
    term_starts = {s for s, _e, _k, _c in r.found}
    # Who a later clause of the sentence is still about: a subject that said something of itself
    # (我爸有冠心病 放过支架), not the object of a verb (生过一个孩子 剖腹产).
    speakers = [(m.end(), "self" if m["self"] else cues.KIN[m[0]]) for m in r.outside(cues.SUBJECT)
                if _FAMILY_STATEMENT.match(text, m.end()) or m.end() in r.ends
                or m.end() in term_starts  # 我舅舅驼背 说是强直性脊柱炎: the uncle's, both
                or _SAME_PERSON.match(text, m.end()) or _APPOSED.search(text, 0, m.start())
                or _NEXT_CLAUSE_STATEMENT.match(text, m.end())
                or (_TOPIC_OF_SENTENCE.fullmatch(text, ctx.sentence_of(text, m.start())[0],
                                                  m.start())
                    and _TOPIC_PREDICATE.match(text, m.end()))]
    kin = [(m.end(), cues.KIN[m[0]], m[0], m.start()) for m in r.outside(cues.SUBJECT)
           if not m["self"] and cues.KIN.get(m[0])]
    kin.reverse()  # the nearest relative before the mention names it
    subjects = [s for s in subjects if s[1]]
    patients = set()  # 我妈头晕三天了: the mother is the patient, her 高血压 is her own history
    for s, _e, kind, _id in r.found:
        who = [(end, g) for end, g in subjects if end <= s]
        if kind == "symptoms" and who and who[-1][1] != "self" \
                and not _LIKE_ME.match(text, who[-1][0]):  # 我妈也偏头疼 / 我爸身上也长: like me
            patients.add(who[-1][1])
    allergens = [e for s, e, kind, _cid in r.found if kind in allergies.ALLERGEN_KINDS
                 and "过敏" in text[_span_of(r.scopes, s)[0]:_span_of(r.scopes, s)[1]]]
    def who_of(s: int) -> bool:
        """A relative (not the speaker) is the subject of the clause at `s`."""
        c_lo = _span_of(r.clauses, s)[0]
        who = [g for end, g in subjects if c_lo <= end <= s] or [
            g for end, g in speakers if ctx.sentence_of(text, s)[0] <= end <= c_lo and g][-1:]
        return bool(who) and who[-1] != "self"

    out = []
    for s, e, kind, cid in r.found:
        lo, hi = _span_of(r.scopes, s)
        c_lo, c_hi = _span_of(r.clauses, s)
        sentence_lo = ctx.sentence_of(text, s)[0]
        last = [(a, k) for a, b, k in events if lo <= a and b <= s]
        pos = r.after(e, hi)
        post = cues.POST_NEG.match(text, pos, hi)
        negated = bool(last and last[-1][1] == "neg") or bool(post and post.end() == hi) \
            or s in r.inner_negated
        repeat = ctx.DENIED_REPEAT.fullmatch(text, e, c_hi)
        negated = negated or bool(repeat and repeat[1] in text[s:e])
        gone = ctx.resolved(text, e, c_hi, text[last[-1][0]:s] if negated and last else (
            text[s:e] if s in r.inner_negated else ""))  # 摸着不烫了: denied inside the words
        negated = negated and not gone
        if text[max(s - 3, 0):s] == "不怎么" and text[e:e + 1] == "了":
            negated, gone = True, False  # 现在不怎么喘了: hardly at all now, a denial
        doubt = [flag for end, flag in unsure if lo < end <= s]
        uncertain = bool(doubt and doubt[-1]) or bool(cues.UNSURE.match(text, pos, hi))
        allergy = kind in allergies.ALLERGEN_KINDS and (any(lo <= c < hi for c in allergy_cues)
                                                   or bool(_ALL_ALLERGIC.match(text, e)))
        negated = negated or (allergy and any(lo <= c < hi for c in no_allergy))
        if kind in cues.HISTORY_KINDS:  # chronic: history unless 这次/是不是/要做 makes it now
            history = not any(lo <= n < hi for n in now)
            # 我爸有冠心病 放过支架: the relative said earlier in the sentence had the stent too
            who = [g for end, g in subjects if c_lo <= end <= s] or [
                g for end, g in speakers if sentence_lo <= end <= c_lo and g][-1:]
            family = history and bool(who) and who[-1] != "self" and who[-1] not in patients
            history = history and not family
        else:
            cue = [(end, was) for end, was in past if c_lo <= end <= s] or [
                (end, was) for end, was in past if sentence_lo <= end <= c_lo
                and ctx.REPORTED_DIAGNOSIS.match(text, c_lo)][-1:]  # 抽过一回 医生说是热性惊厥
            history, family = bool(cue and cue[-1][1]) and not allergy, False
            history = history and not ctx.RECURRING_NOW.search(text, cue[-1][0], c_hi)
            # 眼睛红过两回 / 疼过: it happened before, unless it is back now
            history = history or (kind == "symptoms" and not negated  # 从来没头疼过: never
                                  and bool(ctx.PAST_AFTER.match(text, e))
                                  and not ctx.RECURRING_NOW.search(text, c_lo, c_hi))
            if kind == "diseases":  # 我妈也偏头疼: a relative's disease is family history
                who = [g for end, g in subjects if c_lo <= end <= s] or [
                    g for end, g in speakers if sentence_lo <= end <= c_lo and g][-1:]
                family = bool(who) and who[-1] != "self" and who[-1] not in patients
        history = history or (kind == "symptoms" and (bool(ctx.HISTORY_AFTER.match(text, e))
                                                      or ctx.seen_to(text, e))) or (
            cid in ctx.ANTECEDENT_EVENTS and bool(ctx.ANTECEDENT_AFTER.match(text, e)
                                                  or ctx.ANTECEDENT_BEFORE.search(text, 0, s)))
        # 我爸我妈都是糖尿病: every relative named in the clause had it; else the nearest before
        named = [(ctx.KIN_NAMES.get(m), at) for end, g, m, at in reversed(kin)
                 if c_lo <= end <= s and ctx.KIN_NAMES.get(m)
                 and not _SAME_PERSON.match(text, end)
                 and not (m in ("孩子", "儿子", "女儿", "闺女") and _CHILDS.match(text, end))]
        if not named:
            named = [(ctx.KIN_NAMES.get(m), at) for end, g, m, at in kin
                     if sentence_lo <= end <= s][:1]
        # 我妈耳背好多年了: a symptom keeps whose it is said to be; the dialogue decides
        # whether that relative is the patient or family history (it knows what was asked)
        said_of = family or (kind == "symptoms" and bool(who_of(s)))
        relative = ("、".join(dict.fromkeys(n for n, _at in named if n)) or None) \
            if said_of else None
        whose = informant.possessor(text, named[-1][1]) if said_of and named else ""
        reaction = kind == "symptoms" and cid in lexicon.allergy_reactions \
            and ctx.allergy_reaction(text, r.clauses, allergens, s)
        out.append(Mention(
            kind, cid, r.original(s, e), negated, uncertain, allergy, history, family, s, e,
            resolved=gone, hypothetical=ctx.hypothetical(text, (c_lo, c_hi), s, e),
            other_person=ctx.about_someone_else(text, (c_lo, c_hi), s), reaction=reaction,
            relative=relative, relative_of=whose))
    return _one_reading_per_span(out)


def _one_reading_per_span(mentions: list[Mention]) -> tuple[Mention, ...]:
    """没晕过去 is found twice (没晕过 and 晕过去): the words that overlap one negated reading of
    the same concept are negated too, or the denial would read as fainting."""
    denied = [(m.concept, m.start, m.end) for m in mentions if m.negated]
    return tuple(dataclasses.replace(m, negated=True) if not m.negated and any(
        c == m.concept and s < m.end and m.start < e for c, s, e in denied) else m
        for m in mentions)


def understand(text: str, lexicon: Lexicon) -> Understanding:
    """Read one utterance. Pure and fast (a cached matcher per lexicon, regexes compiled once)."""
    r = _Reader(text, lexicon)
    norm, compact = r.text, COMPACT.sub("", r.text)
    mentions, allergens = allergies.reread(norm, _mentions(r, lexicon), lexicon)
    mentions = retracted(norm, mentions)
    found = qty.durations(norm)
    unknown = bool(compact) and bool(UNKNOWN.fullmatch(compact))
    deny = not unknown and bool(DENY.fullmatch(compact))
    affirm = not unknown and not deny and bool(AFFIRM.fullmatch(compact))
    correction = bool(CORRECTION.search(norm))
    duration = complaint_duration(r, found, mentions, correction)
    severity = qty.severity(norm, last=correction)
    temperature = qty.temperature(norm, last=correction)
    # 刚才那个错了 goes back; 刚才说错了，是五天 corrects; 发际线往后退 tells, never asks
    back = (bool(BACK.search(norm) or BACK_BARE.fullmatch(compact)) or (
        bool(PREVIOUS.search(norm)) and duration is None and severity is None
        and temperature is None)) and not any(kind == "symptoms" for _s, _e, kind, _c in r.found)
    attached = [(r.attach(q.start, q.end), q) for q in found]
    named_allergy = any(m.allergy and not m.negated for m in mentions)
    said_none = any(not any(lo <= x.start < hi for x in (*mentions, *allergens)
                            if x.kind in allergies.ALLERGEN_KINDS)
                    for lo, hi in (_span_of(r.scopes, m.start())
                                   for m in cues.NO_ALLERGY.finditer(norm)))
    return Understanding(
        text=norm, mentions=mentions, duration=duration, severity=severity,
        temperature=temperature, times_per_day=qty.times_per_day(norm),
        habits=qty.habits(norm, r.topics, attached), pregnant=pregnancy_said(norm),
        uncertain=unknown,
        skip=bool(SKIP.search(norm) or SKIP_BARE.fullmatch(compact)), back=back,
        correction=correction and not back, deny=deny, affirm=affirm,
        no_known_allergy=said_none and not named_allergy, allergens=allergens,
        since=next((Duration(q.value, r.original(q.start, q.end), True) for q in found
                    if q.relative), None),
        for_relative=_told_for_a_relative(r), unplaced_feelings=tuple(r.unplaced),
        sites=tuple(r.sites),
        intensity=None if severity is not None else qty.intensity_words(norm))
