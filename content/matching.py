"""Pick health-education items for one person at one moment: a new abnormal reading, a new
diagnosis, a follow-up's class. Never an item twice, never more than the caps allow, the
items that answer the moment first, plain ones first for older readers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from content.library import Item, Library, default_library


@dataclass(frozen=True)
class Person:
    age: int
    sex: str
    conditions: frozenset[str]


@dataclass(frozen=True)
class Sent:
    item_id: str
    sent_at: dt.datetime


@dataclass(frozen=True)
class Caps:
    per_day: int = 1
    per_week: int = 3


@dataclass(frozen=True)
class Pick:
    item: Item
    why: str  # "finding:bp_high" or "general"


def pick(person: Person, findings: frozenset[str], history: Sequence[Sent], now: dt.datetime,
         limit: int = 1, caps: Caps | None = None,
         library: Library | None = None) -> list[Pick]:
    """Up to `limit` items, fewer (or none) when the caps are reached or nothing fits."""
    caps, library = caps or Caps(), library or default_library()
    last_day = sum(1 for s in history if now - s.sent_at < dt.timedelta(days=1))
    last_week = sum(1 for s in history if now - s.sent_at < dt.timedelta(days=7))
    room = min(limit, caps.per_day - last_day, caps.per_week - last_week)
    if room <= 0:
        return []
    seen = {s.item_id for s in history}
    ranked = []
    for item in library.served():
        if item.id in seen or not item.conditions & person.conditions:
            continue
        if not item.min_age <= person.age <= item.max_age or item.sex not in (None, person.sex):
            continue
        matched = sorted(item.findings & findings)
        if matched:
            score, why = 2, f"finding:{matched[0]}"
        elif not item.findings:
            score, why = 1, "general"
        else:
            continue
        plain_first = 1 if person.age >= 65 and item.reading_level != "easy" else 0
        ranked.append((-score, plain_first, item.id, Pick(item, why)))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked[:room]]
