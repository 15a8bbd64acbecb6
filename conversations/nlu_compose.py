"""Disease and operation names said in pieces: 肺上有个结节, 胆囊里长了息肉, 胆囊早就拿掉了.

Patients rarely say the textbook name. They name the organ, then what was found in it or done to
it, with words in between. Both tables are derived from the lexicon itself, so every disease term
that is an organ plus a lesion word (肺 + 结节, 子宫 + 肌瘤) and every operation term that is a
removal verb plus an organ (切 + 胆囊) can also be said apart, without listing the phrasings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conversations.knowledge import Lexicon
from conversations.nlu_matcher import per_lexicon
from conversations.normalise import normalise

Hit = tuple[int, int, str, str]

# Words between an organ and what was found in it; nothing else may stand there.
_PLACE = (r"(?:上段|中段|下段|上面|里面|里头|上边|里边|下面|底下|左边|右边|左侧|右侧"
          r"|两侧|双侧|两边|左叶|右叶|峡部|下极|上极|部位|上|里|内|中|部|壁|的)")
_FOUND = (r"(?:说是?有|发现了?有?|查出来?了?有?|查到了?有?|看到|显示有?|提示有?|检查有"
          r"|长了?|有了?|见|多发)")
_COUNT = r"(?:一个|一颗|一枚|一些|几个|多个|两个|好几个|个|颗|枚|些)"
_SIZE = r"(?:[0-9.]+(?:mm|cm|毫米|公分|厘米|x|\*|×)+)+"
_LOOK = r"(?:小|大|低回声|高回声|实性|囊性|囊实性|多发|钙化|的|样)"
FINDING_GAP = f"(?:{_PLACE}|{_FOUND}|{_COUNT}|{_SIZE}|{_LOOK}|[0-9]+(?:个|颗))+"
# A removal said after the organ: 胆囊早就拿掉了, 子宫切了, 阑尾割掉了.
REMOVAL_GAP = (r"(?:也|都|就|早就|早|已经|给|被|让医生|让人|叫医生|手术"
               r"|[0-9一二两三四五六七八九十几多]+年(?:前|了)?)*")
REMOVAL = r"(?:切掉|切除|切|拿掉|拿了|摘掉|摘除|摘|割掉|割|取掉|取出|去掉)了?"
# An organ said to be inflamed: 扁桃体以前老发炎, 胆囊发炎了 (the disease term is organ + 炎).
INFLAMED_GAP = r"(?:以前|过去|小时候|老是?|经常|反复|总是?|常常?|又|容易|爱|也|都|有点|的|还)*"
INFLAMED = r"发炎|发言"
RECURRING = re.compile(r"老|经常|反复|总|常常")
# 想打HPV疫苗 / 要打黄热病疫苗 / 打带状疱疹疫苗吗: asking for one (not 打完疫苗发烧)
VACCINE_REQUEST = re.compile(
    r"(?:想|要|准备|预约|能不能|可以|去哪|哪里能|在哪)(?:去)?(?:打|接种)[^，,。；;完过了]{0,10}疫苗"
    r"|(?:打|接种)[^，,。；;完过了]{0,10}疫苗(?=吗|呢|[?？]|要|去哪|在哪|多少钱|什么时候)")
VACCINATION = "vaccination_request"
_REMOVAL_PREFIX = re.compile(r"^(?:切|摘|割)(?P<organ>.{1,4})$")
_REMOVAL_SUFFIX = re.compile(r"^(?P<organ>.{1,4})(?:切除|摘除)$")


@dataclass(frozen=True)
class Compositions:
    """The organ × lesion and organ × removal tables of one lexicon, as two regexes."""

    findings: dict[tuple[str, str], str]  # (organ, lesion) -> disease id
    lesions: dict[str, str]  # a lesion word as said -> its lexicon form (石头 -> 结石)
    removals: dict[str, str]  # organ -> operation id
    inflamed: dict[str, str]  # organ -> the disease that is its inflammation
    recurring: dict[str, str]  # organ -> its chronic inflammation (扁桃体老发炎 → 慢性扁桃体炎)
    vaccination: bool  # the lexicon has the vaccination request
    finding_re: re.Pattern[str] | None
    removal_re: re.Pattern[str] | None
    inflamed_re: re.Pattern[str] | None

    def find(self, text: str) -> list[Hit]:
        found: list[Hit] = []
        for m in self.finding_re.finditer(text) if self.finding_re else ():
            lesion = self.lesions.get(m["lesion"], m["lesion"])
            disease = self.findings.get((m["organ"], lesion))
            if disease:
                found.append((m.start(), m.end(), "diseases", disease))
        for m in self.removal_re.finditer(text) if self.removal_re else ():
            found.append((m.start(), m.end(), "operations", self.removals[m["organ"]]))
        for m in VACCINE_REQUEST.finditer(text) if self.vaccination else ():
            found.append((m.start(), m.end(), "symptoms", VACCINATION))
        for m in self.inflamed_re.finditer(text) if self.inflamed_re else ():
            # 扁桃体以前老发炎: the hit is 发炎, so 以前 stays a word that dates it (history).
            start = m.start("said") if m.end("organ") < m.start("said") else m.start()
            often = RECURRING.search(text, m.end("organ"), m.start("said"))
            disease = (often and self.recurring.get(m["organ"])) or self.inflamed[m["organ"]]
            found.append((start, m.end(), "diseases", disease))
        return found


def _alternation(words: set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def build(lexicon: Lexicon) -> Compositions:
    lesions = {normalise(said): normalise(form)
               for form, variants in lexicon.lesion_words.items()
               for said in (form, *variants)}
    forms = sorted(set(lesions.values()), key=len, reverse=True)
    findings: dict[tuple[str, str], str] = {}
    inflamed: dict[str, str] = {}
    recurring: dict[str, str] = {}
    for concept in lexicon.concepts.get("diseases", {}).values():
        for term in map(normalise, concept.terms):
            organ = term[:-1].removeprefix("慢性")
            if term.endswith("炎") and not term.endswith("发炎") and \
                    re.fullmatch(r"[\u4e00-\u9fff]{2,4}", organ):
                if term.startswith("慢性") or "反复" in concept.name:
                    recurring.setdefault(organ, concept.id)
                else:
                    inflamed.setdefault(organ, concept.id)
            form = next((f for f in forms if term.endswith(f) and len(term) > len(f)), None)
            organ = term[:-len(form)].rstrip("部内的") if form else ""
            if organ and re.fullmatch(r"[\u4e00-\u9fff]{1,5}", organ):
                findings.setdefault((organ, form), concept.id)
    removals: dict[str, str] = {}
    for concept in lexicon.concepts.get("operations", {}).values():
        for term in map(normalise, concept.terms):
            m = _REMOVAL_PREFIX.match(term) or _REMOVAL_SUFFIX.match(term)
            if m and not m["organ"].startswith("了"):
                removals.setdefault(m["organ"], concept.id)
    organs = {organ for organ, _ in findings}
    finding_re = re.compile(f"(?P<organ>{_alternation(organs)}){FINDING_GAP}"
                            f"(?P<lesion>{_alternation(set(lesions))})") if organs else None
    removal_re = re.compile(f"(?P<organ>{_alternation(set(removals))}){REMOVAL_GAP}{REMOVAL}"
                            ) if removals else None
    inflamed_re = re.compile(f"(?P<organ>{_alternation(set(inflamed))}){INFLAMED_GAP}"
                             f"(?P<said>{INFLAMED})") if inflamed else None
    return Compositions(findings, lesions, removals, inflamed, recurring,
                        VACCINATION in lexicon.concepts.get("symptoms", {}), finding_re,
                        removal_re, inflamed_re)


compositions = per_lexicon(build)  # built on first use (a few milliseconds)
