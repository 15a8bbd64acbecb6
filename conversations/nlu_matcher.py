"""Finding the lexicon's terms in what a patient typed: leftmost-longest, one cached matcher per
lexicon, and the body site a symptom term names inside itself (膝盖疼 → knee)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TypeVar

from conversations.knowledge import Lexicon
from conversations.normalise import normalise

PARALLEL_KINDS = ("diseases",)  # matched on their own: a disease name never hides a symptom
GENERIC_LUMP = "lump"  # a lump said without a site; a site's own lump (neck_lump) replaces it


_PLAIN_NAME = re.compile(r"[\u4e00-\u9fff]{2,8}")


class Matcher:
    """Leftmost-longest substring matching: a dict of terms, the lengths to try per first char.
    The disease vocabulary is a second, parallel pass, so 鸡蛋过敏 (a disease term) still leaves
    鸡蛋 to the allergy reading."""

    def __init__(self, lexicon: Lexicon, parallel: bool = False) -> None:
        self.terms: dict[str, list[tuple[str, str]]] = {}
        self.parallel = None if parallel else Matcher(lexicon, parallel=True)
        for kind, concepts in lexicon.concepts.items():
            if (kind in PARALLEL_KINDS) != parallel:
                continue
            for concept in concepts.values():
                for term in {normalise(t) for t in concept.terms} - {""}:
                    self.terms.setdefault(term, []).append((kind, concept.id))
        names: dict[str, list[tuple[str, str]]] = {}
        for kind, concepts in lexicon.concepts.items():
            if (kind in PARALLEL_KINDS) != parallel:
                continue
            for concept in concepts.values():
                name = normalise(concept.name)
                if _PLAIN_NAME.fullmatch(name) and name not in self.terms:
                    names.setdefault(name, []).append((kind, concept.id))
        self.terms.update(names)  # 端坐呼吸, 少尿: the note's own words, copied from a report
        lengths: dict[str, set[int]] = {}
        for term in self.terms:
            lengths.setdefault(term[0], set()).add(len(term))
        self.lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        found, i, n = [], 0, len(text)
        while i < n:
            step = 1
            for length in self.lengths.get(text[i], ()):
                hits = self.terms.get(text[i:i + length]) if i + length <= n else None
                if hits:
                    found.extend((i, i + length, kind, cid) for kind, cid in hits)
                    step = length
                    break
            i += step
        return found + self.parallel.find(text) if self.parallel else found


T = TypeVar("T")


def per_lexicon(build: Callable[[Lexicon], T]) -> Callable[[Lexicon], T]:
    """One built value per live Lexicon (it is unhashable); the entry goes when it is
    collected, so a test's small lexicon never meets the shipped one's tables."""
    built: dict[int, tuple[weakref.ref, T]] = {}

    def get(lexicon: Lexicon) -> T:
        key = id(lexicon)
        cached = built.get(key)
        if cached and cached[0]() is lexicon:
            return cached[1]
        value = build(lexicon)
        built[key] = (weakref.ref(lexicon, lambda _ref: built.pop(key, None)), value)
        return value

    return get


matcher = per_lexicon(Matcher)


def sites_inside(text: str, hits: list[tuple[int, int, str, str]], lexicon: Lexicon
                  ) -> list[tuple[int, int, str, str]]:
    """The body site a symptom term names in itself (膝盖疼 → knee, 肚子咕噜响 → abdomen)."""
    terms = matcher(lexicon).terms
    found = []
    for s, e, _kind, _cid in hits:
        for length in range(e - s - 1, 0, -1):
            site = next(((i, cid) for i in range(s, e - length + 1)
                         for kind, cid in terms.get(text[i:i + length], ())
                         if kind == "body_sites"), None)
            if site:
                found.append((site[0], site[0] + length, "body_sites", site[1]))
                break
    return found
