"""The follow-up rules, loaded from the data files in `followup/data/`.

Formats are in `data/README.md`. Loading validates every file, so a new edition of the standard
that is mistyped fails at start-up with the file and entry named, not in a resident's follow-up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
PROGRAMME_FILES = ("hypertension.yaml", "type2_diabetes.yaml")
CLASS_IDS = ("complication", "adverse_reaction", "unsatisfactory", "satisfactory")
RULE_IDS = ("routine_followup", "first_unsatisfactory", "adverse_reaction", "medication_change",
            "consecutive_unsatisfactory_referral", "uncontrolled_adverse_reaction_referral",
            "complication_referral", "emergency_referral")
COMPARATORS = ("at_least", "above", "at_most", "below")
_ID = re.compile(r"[a-z][a-z0-9_]*")


class RulesError(ValueError):
    """A rules file does not follow its format; the message names the file and the entry."""


@dataclass(frozen=True)
class Criterion:
    """One test of a visit's facts: a reading against a limit, a symptom, a flag, or a group."""

    kind: str  # reading | symptom | flag | all_of | any_of
    subject: str = ""  # the reading, symptom or flag it looks at
    comparator: str = ""
    limit: float = 0.0
    parts: tuple[Criterion, ...] = ()

    def evidence(self, readings: Mapping[str, float], symptoms: frozenset[str],
                 flags: frozenset[str]) -> tuple[str, ...] | None:
        """The leaf tests that made this hold (its basis), or None when it does not hold."""
        if self.kind == "reading":
            value = readings.get(self.subject)
            return (self.describe(value),) if value is not None and self._compare(value) else None
        if self.kind == "symptom":
            return (f"symptom:{self.subject}",) if self.subject in symptoms else None
        if self.kind == "flag":
            return (f"flag:{self.subject}",) if self.subject in flags else None
        found = [part.evidence(readings, symptoms, flags) for part in self.parts]
        if self.kind == "all_of":
            if any(item is None for item in found):
                return None
            return tuple(leaf for item in found if item for leaf in item)
        held = [leaf for item in found if item for leaf in item]
        return tuple(held) or None

    def _compare(self, value: float) -> bool:
        return {"at_least": value >= self.limit, "above": value > self.limit,
                "at_most": value <= self.limit, "below": value < self.limit}[self.comparator]

    def describe(self, value: float) -> str:
        sign = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}[self.comparator]
        return f"{self.subject}={value:g} {sign} {self.limit:g}"


@dataclass(frozen=True)
class Interval:
    months: int = 0
    days: int = 0


@dataclass(frozen=True)
class ControlTarget:
    id: str
    name: str
    satisfied_when: Criterion
    min_age: int | None = None
    max_age: int | None = None

    def fits(self, age: int) -> bool:
        return ((self.min_age is None or age >= self.min_age)
                and (self.max_age is None or age <= self.max_age))


@dataclass(frozen=True)
class EmergencyCriterion:
    """One 危急情况 of the standard: any one means urgent referral after first aid."""

    id: str
    name: str
    when: Criterion


@dataclass(frozen=True)
class Rule:
    """One consequence of the standard's 分类干预: what to do and when to see the resident next."""

    id: str
    says: str
    next_followup: Interval
    consecutive: int | None = None


@dataclass(frozen=True)
class Programme:
    """One management programme (高血压 / 2型糖尿病) in one edition of the standard."""

    id: str
    name: str
    edition: str
    issued: str
    effective: dt.date
    section: str
    source: str
    served: str
    min_followups_per_year: int
    control_requires: tuple[str, ...]
    targets: tuple[ControlTarget, ...]
    symptoms: dict[str, str]
    emergency: tuple[EmergencyCriterion, ...]
    complications: dict[str, str]
    rules: dict[str, Rule]

    def target_for(self, age: int) -> ControlTarget:
        for target in self.targets:
            if target.fits(age):
                return target
        raise RulesError(f"{self.id}: no control target fits age {age}")


@dataclass(frozen=True)
class ReadingLimit:
    name: str
    unit: str
    min: float
    max: float


@dataclass(frozen=True)
class Policy:
    """The hospital's own settings around the standard (policy.yaml)."""

    source: str
    classes: tuple[tuple[str, str], ...]  # (id, 随访分类 name), most serious first
    due_soon_days: int
    escalate_overdue_days: int  # an open follow-up this many days late goes to the admins
    readings: dict[str, ReadingLimit]
    flags: dict[str, str]

    def class_name(self, class_id: str) -> str:
        return dict(self.classes)[class_id]


@dataclass(frozen=True)
class FollowUpRules:
    programmes: dict[str, Programme]
    policy: Policy
    symptoms: dict[str, str] = field(default_factory=dict)  # every programme's, by code

    def programme(self, programme_id: str) -> Programme:
        try:
            return self.programmes[programme_id]
        except KeyError:
            raise RulesError(f"unknown programme {programme_id!r}; known: "
                             f"{sorted(self.programmes)}") from None


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise RulesError(f"{where}: {message}")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{path.name}: cannot read: {exc}") from exc
    _require(isinstance(data, dict) and bool(str(data.get("source", "")).strip()), path.name,
             "must be a mapping that names its `source`")
    return data


def _mapping(value: Any, where: str) -> dict[str, Any]:
    _require(isinstance(value, dict) and bool(value), where, "must be a non-empty mapping")
    return value


def _number(value: Any, where: str) -> float:
    _require(isinstance(value, int | float) and not isinstance(value, bool), where,
             f"{value!r} is not a number")
    return float(value)


def _criterion(entry: Any, where: str, vocabulary: Mapping[str, set[str]]) -> Criterion:
    """A `when` / `satisfied_when` test; every name it uses must be declared."""
    _require(isinstance(entry, dict), where, f"a test must be a mapping, not {entry!r}")
    kinds = [key for key in ("reading", "symptom", "flag", "all_of", "any_of") if key in entry]
    _require(len(kinds) == 1, where, f"a test has exactly one of reading/symptom/flag/all_of/"
             f"any_of, not {sorted(entry)}")
    kind = kinds[0]
    if kind in ("all_of", "any_of"):
        _require(set(entry) == {kind}, where, f"`{kind}` stands alone in its test")
        parts = entry[kind]
        _require(isinstance(parts, list) and bool(parts), where, f"`{kind}` needs a list")
        return Criterion(kind=kind, parts=tuple(_criterion(part, f"{where} {kind}[{i}]",
                                                           vocabulary)
                                                for i, part in enumerate(parts)))
    subject = str(entry[kind])
    known = vocabulary[kind]
    _require(subject in known, where, f"unknown {kind} {subject!r}; declared: {sorted(known)}")
    if kind != "reading":
        _require(set(entry) == {kind}, where, f"a {kind} test has no limit")
        return Criterion(kind=kind, subject=subject)
    comparators = [key for key in COMPARATORS if key in entry]
    _require(len(comparators) == 1 and set(entry) == {"reading", *comparators}, where,
             f"a reading test has exactly one of {COMPARATORS}")
    return Criterion(kind="reading", subject=subject, comparator=comparators[0],
                     limit=_number(entry[comparators[0]], f"{where} {comparators[0]}"))


def _interval(entry: Any, where: str) -> Interval:
    entry = _mapping(entry, where)
    _require(set(entry) <= {"months", "days"}, where, "an interval has `months` and/or `days`")
    months, days = entry.get("months", 0), entry.get("days", 0)
    _require(all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                 for v in (months, days)) and months + days > 0, where,
             "months/days are whole numbers and the interval is not zero")
    return Interval(months=months, days=days)


def _names(entry: Any, where: str) -> dict[str, str]:
    entry = _mapping(entry, where)
    for key, name in entry.items():
        _require(_ID.fullmatch(str(key)) is not None, f"{where}.{key}", "ids are snake_case")
        _require(bool(str(name or "").strip()), f"{where}.{key}", "needs a Chinese name")
    return {str(k): str(v) for k, v in entry.items()}


def _policy(data: dict[str, Any]) -> Policy:
    where = "policy.yaml"
    classes = tuple((str(c.get("id")), str(c.get("name"))) for c in data.get("classes") or ())
    _require(tuple(c for c, _ in classes) == CLASS_IDS, f"{where} classes",
             f"must list {CLASS_IDS} in this order (most serious first)")
    readings = {}
    for key, entry in _mapping(data.get("readings"), f"{where} readings").items():
        at = f"{where} readings.{key}"
        entry = _mapping(entry, at)
        low, high = _number(entry.get("min"), f"{at}.min"), _number(entry.get("max"), f"{at}.max")
        _require(low < high and bool(entry.get("name")) and bool(entry.get("unit")), at,
                 "needs name, unit and min < max")
        readings[str(key)] = ReadingLimit(name=str(entry["name"]), unit=str(entry["unit"]),
                                          min=low, max=high)
    due_soon = data.get("due_soon_days")
    _require(isinstance(due_soon, int) and 0 <= due_soon <= 31, f"{where} due_soon_days",
             "a whole number of days from 0 to 31")
    escalate = data.get("escalate_overdue_days")
    _require(isinstance(escalate, int) and 1 <= escalate <= 90,
             f"{where} escalate_overdue_days", "a whole number of days from 1 to 90")
    return Policy(source=str(data["source"]), classes=classes, due_soon_days=due_soon,
                  escalate_overdue_days=escalate, readings=readings,
                  flags=_names(data.get("flags"), f"{where} flags"))


def _programme(path: Path, policy: Policy) -> Programme:
    data = _read(path)
    where = path.name
    _require(data.get("programme") == path.stem, where, "`programme` must equal the file name")
    for key in ("name", "edition", "issued", "section", "served"):
        _require(bool(str(data.get(key) or "").strip()), where, f"needs `{key}`")
    effective = data.get("effective")
    _require(isinstance(effective, dt.date), where, "`effective` must be a date (YYYY-MM-DD)")
    per_year = data.get("min_followups_per_year")
    _require(isinstance(per_year, int) and per_year >= 1, where,
             "`min_followups_per_year` must be a whole number ≥ 1")
    symptoms = _names(data.get("symptoms"), f"{where} symptoms")
    vocabulary = {"reading": set(policy.readings), "symptom": set(symptoms),
                  "flag": set(policy.flags)}
    control = _mapping(data.get("control"), f"{where} control")
    requires = tuple(str(r) for r in control.get("requires") or ())
    _require(bool(requires) and set(requires) <= set(policy.readings), f"{where} control.requires",
             "must list readings declared in policy.yaml")
    targets = []
    for i, entry in enumerate(control.get("targets") or ()):
        at = f"{where} control.targets[{i}] {entry.get('id')}"
        who = entry.get("who") or {}
        _require(set(who) <= {"min_age", "max_age"}, at, "`who` has only min_age / max_age")
        _require(bool(entry.get("id")) and bool(entry.get("name")), at, "needs `id` and `name`")
        targets.append(ControlTarget(
            id=str(entry["id"]), name=str(entry["name"]), min_age=who.get("min_age"),
            max_age=who.get("max_age"),
            satisfied_when=_criterion(entry.get("satisfied_when"), f"{at} satisfied_when",
                                      vocabulary)))
    _require(bool(targets) and targets[-1].min_age is None and targets[-1].max_age is None,
             f"{where} control.targets", "the last target applies to everyone (empty `who`)")
    emergency = []
    for i, entry in enumerate(data.get("emergency") or ()):
        at = f"{where} emergency[{i}] {entry.get('id')}"
        _require(_ID.fullmatch(str(entry.get("id"))) is not None and bool(entry.get("name")), at,
                 "needs a snake_case `id` and the standard's words in `name`")
        emergency.append(EmergencyCriterion(id=str(entry["id"]), name=str(entry["name"]),
                                            when=_criterion(entry.get("when"), f"{at} when",
                                                            vocabulary)))
    _require(bool(emergency), where, "needs the standard's `emergency` criteria")
    ids = [e.id for e in emergency]
    _require(len(ids) == len(set(ids)), f"{where} emergency", "ids must be unique")
    rules_data = _mapping(data.get("rules"), f"{where} rules")
    _require(set(rules_data) == set(RULE_IDS), f"{where} rules",
             f"must define exactly {sorted(RULE_IDS)}")
    rules = {}
    for rule_id, entry in rules_data.items():
        at = f"{where} rules.{rule_id}"
        entry = _mapping(entry, at)
        _require(bool(str(entry.get("says") or "").strip()), at, "needs `says`")
        consecutive = entry.get("consecutive")
        needs_count = rule_id.endswith("_referral") and rule_id.startswith(
            ("consecutive", "uncontrolled"))
        _require(needs_count == (consecutive is not None), at,
                 "`consecutive` belongs to the two consecutive-visit referral rules only")
        _require(consecutive is None or consecutive == 2, at,
                 "the standard counts two consecutive follow-ups (连续两次)")
        rules[rule_id] = Rule(id=rule_id, says=str(entry["says"]), consecutive=consecutive,
                              next_followup=_interval(entry.get("next_followup"),
                                                      f"{at}.next_followup"))
    return Programme(
        id=path.stem, name=str(data["name"]), edition=str(data["edition"]),
        issued=str(data["issued"]), effective=effective, section=str(data["section"]),
        source=str(data["source"]), served=str(data["served"]), min_followups_per_year=per_year,
        control_requires=requires, targets=tuple(targets), symptoms=symptoms,
        emergency=tuple(emergency),
        complications=_names(data.get("complications"), f"{where} complications"), rules=rules)


def load(data_dir: Path = DATA_DIR) -> FollowUpRules:
    policy = _policy(_read(data_dir / "policy.yaml"))
    programmes = {path.stem: _programme(path, policy)
                  for path in (data_dir / name for name in PROGRAMME_FILES)}
    symptoms: dict[str, str] = {}
    for programme in programmes.values():
        for code, name in programme.symptoms.items():
            _require(symptoms.get(code, name) == name, f"{programme.id}.yaml symptoms.{code}",
                     f"named {name!r} here but {symptoms.get(code)!r} in another programme")
            symptoms[code] = name
    return FollowUpRules(programmes=programmes, policy=policy, symptoms=symptoms)


@cache
def default_rules() -> FollowUpRules:
    """The shipped rules, loaded once per process."""
    return load()
