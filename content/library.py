"""The health-education library: items with their metadata, loaded and checked from
`content/data/*.yaml`. Only reviewed items are ever served."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
CONDITIONS = ("hypertension", "type2_diabetes")
FINDINGS = ("new_diagnosis", "bp_high", "bp_urgent", "glucose_high", "glucose_low",
            "glucose_urgent", "class_satisfactory", "class_unsatisfactory",
            "class_adverse_reaction", "class_complication")
LEVELS = ("easy", "standard")  # reading level: easy is for anyone, standard has a few terms
MAX_BODY = 200


class LibraryError(ValueError):
    """A library file does not follow its format; the message names the file and the item."""


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    topic: str
    conditions: frozenset[str]
    findings: frozenset[str]  # the moments it answers; empty: general for its conditions
    min_age: int
    max_age: int
    sex: str | None  # "male" / "female" / None
    reading_level: str
    body: str
    video_url: str | None
    source: str  # the named source, in full
    reviewer: str
    reviewed_on: dt.date
    reviewed: bool


@dataclass(frozen=True)
class Library:
    items: dict[str, Item]

    def served(self) -> list[Item]:
        return [item for item in self.items.values() if item.reviewed]


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise LibraryError(f"{where}: {message}")


def _item(entry: dict[str, Any], data: dict[str, Any], where: str) -> Item:
    for key in ("id", "title", "topic", "body", "source"):
        _require(bool(str(entry.get(key) or "").strip()), where, f"needs `{key}`")
    sources = data.get("sources") or {}
    _require(entry["source"] in sources, where, f"unknown source {entry['source']!r}")
    conditions = frozenset(entry.get("conditions") or ())
    _require(bool(conditions) and conditions <= set(CONDITIONS), where,
             f"conditions must be some of {CONDITIONS}")
    findings = frozenset(entry.get("findings") or ())
    _require(findings <= set(FINDINGS), where,
             f"unknown findings {sorted(findings - set(FINDINGS))}")
    ages = entry.get("ages") or [0, 130]
    _require(len(ages) == 2 and 0 <= ages[0] <= ages[1] <= 130, where, "ages is [min, max]")
    _require(entry.get("sex") in (None, "male", "female"), where, "sex is male, female or absent")
    _require(entry.get("level", "easy") in LEVELS, where, f"level is one of {LEVELS}")
    _require(len(str(entry["body"])) <= MAX_BODY, where, f"body is longer than {MAX_BODY}")
    reviewed_on = entry.get("reviewed_on", data.get("reviewed_on"))
    _require(isinstance(reviewed_on, dt.date), where, "needs a review date")
    status = entry.get("status", "reviewed")
    _require(status in ("reviewed", "draft"), where, "status is reviewed or draft")
    return Item(id=str(entry["id"]), title=str(entry["title"]), topic=str(entry["topic"]),
                conditions=conditions, findings=findings, min_age=ages[0], max_age=ages[1],
                sex=entry.get("sex"), reading_level=entry.get("level", "easy"),
                body=str(entry["body"]), video_url=entry.get("video_url"),
                source=str(sources[entry["source"]]),
                reviewer=str(entry.get("reviewer", data.get("reviewer") or "")),
                reviewed_on=reviewed_on, reviewed=status == "reviewed" and bool(
                    entry.get("reviewer", data.get("reviewer"))))


def load(data_dir: Path = DATA_DIR) -> Library:
    items: dict[str, Item] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LibraryError(f"{path.name}: cannot read: {exc}") from exc
        _require(isinstance(data, dict) and bool(data.get("source")), path.name,
                 "must be a mapping that names its `source`")
        for position, entry in enumerate(data.get("items") or []):
            where = f"{path.name} items[{position}]"
            _require(isinstance(entry, dict), where, "must be a mapping")
            item = _item(entry, data, where)
            _require(item.id not in items, where, f"id {item.id} is used twice")
            items[item.id] = item
    return Library(items)


@cache
def default_library() -> Library:
    return load()
