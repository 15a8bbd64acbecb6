"""Imaging reports: the 诊断意见 explained sentence by sentence, categories with their advice.

Each sentence of the radiologist's conclusion is kept as written and followed by the plain
meaning of the words in it (longest terms first, each span explained once) and of any structured
category (BI-RADS, C-TIRADS, Lung-RADS) with its published follow-up advice. A sentence with no
known words is shown as written with "请看病时让医生给您讲讲". Nothing is concluded that the
radiologist did not write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from reports.explain import ADVICE, Level
from reports.knowledge import DATA

_URGENCY = {"routine": Level.MILD, "follow_up": Level.MILD, "soon": Level.MARKED}
_SPLIT = re.compile(r"[。；;\n]+")
_NUMBERING = re.compile(
    r"^\s*(?:\(?\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[一二三四五六七八九十][、.])\s*")
UNEXPLAINED = "这句话请看病时让医生给您讲讲。"


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    plain: str
    advice: str
    level: Level | None


@dataclass(frozen=True)
class Category:
    system: str
    pattern: re.Pattern[str]
    levels: dict[str, dict[str, str]]
    source: str


@dataclass(frozen=True)
class Explained:
    """One thing a sentence says, in plain words."""

    words: str  # what the radiologist wrote (the term or the category)
    plain: str
    advice: str
    source: str


@dataclass(frozen=True)
class SentenceExplanation:
    sentence: str
    items: tuple[Explained, ...]
    level: Level


@dataclass(frozen=True)
class ImagingKnowledge:
    terms: tuple[Term, ...]
    categories: tuple[Category, ...]
    glossary_source: str


@cache
def imaging_knowledge() -> ImagingKnowledge:
    document = yaml.safe_load((DATA / "imaging.yaml").read_text("utf-8"))
    sources = document["sources"]
    categories = tuple(Category(c["system"], re.compile(c["pattern"], re.IGNORECASE),
                                {str(k): v for k, v in c["levels"].items()},
                                sources[c["source"]]) for c in document["categories"])
    terms = tuple(Term(tuple(t["terms"]), t["plain"], t.get("advice", ""),
                       _URGENCY.get(t["urgency"]) if t.get("urgency") else None)
                  for t in document["glossary"])
    return ImagingKnowledge(terms, categories, sources["GLOSSARY"])


def sentences(text: str) -> list[str]:
    return [s for s in (_NUMBERING.sub("", part).strip(" ，,") for part in _SPLIT.split(text))
            if s]


def _categories(sentence: str, knowledge: ImagingKnowledge) -> list[tuple[Explained, Level]]:
    found = []
    for category in knowledge.categories:
        for match in category.pattern.finditer(sentence):
            level_key = match.group(1).upper()
            entry = category.levels.get(level_key)
            if entry is None:
                continue
            found.append((Explained(f"{category.system} {level_key}类", entry["meaning"],
                                    entry["advice"], category.source),
                          Level.MARKED if entry["urgency"] == "soon" else Level.MILD))
    return found


def _terms(sentence: str, knowledge: ImagingKnowledge) -> list[tuple[Explained, Level | None]]:
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Explained, Level | None]] = []
    candidates = sorted(((word, term) for term in knowledge.terms for word in term.words),
                        key=lambda pair: -len(pair[0]))
    for word, term in candidates:
        start = sentence.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                if all(item.plain != term.plain for _, item, _ in found):
                    found.append((start, Explained(word, term.plain, term.advice,
                                                   knowledge.glossary_source), term.level))
                break
            start = sentence.find(word, start + 1)
    return [(item, level) for _, item, level in sorted(found, key=lambda f: f[0])]


def explain_conclusion(conclusion: str,
                       knowledge: ImagingKnowledge | None = None) -> list[SentenceExplanation]:
    knowledge = knowledge or imaging_knowledge()
    explained = []
    for sentence in sentences(conclusion):
        pairs = _categories(sentence, knowledge) + _terms(sentence, knowledge)
        if not pairs:
            explained.append(SentenceExplanation(
                sentence, (Explained("", UNEXPLAINED, ADVICE[Level.UNKNOWN], ""),),
                Level.UNKNOWN))
            continue
        levels = [level for _, level in pairs if level is not None]
        explained.append(SentenceExplanation(sentence, tuple(item for item, _ in pairs),
                                             max(levels, default=Level.NORMAL)))
    return explained


def imaging_level(explained: list[SentenceExplanation]) -> Level:
    return max((s.level for s in explained), default=Level.UNKNOWN)
