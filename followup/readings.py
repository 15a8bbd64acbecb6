"""What a resident's own reading at home means (家庭自测): urgent (the standard's 危急情况),
above target, or within it, with the words the resident is shown.

Pure, like `classify`: the emergency criteria and targets are the programme files'; the few
settings the standard leaves to the hospital are in `data/home_readings.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from followup.classify import check_readings, find_emergencies
from followup.records import Decision, FollowUpInputError
from followup.rules import DATA_DIR, Criterion, FollowUpRules, RulesError, default_rules

LEVELS = ("urgent", "high", "normal")
# Personal targets of the resident's plan → the reading they judge.
PERSONAL_TARGETS = {"systolic_below": "systolic", "diastolic_below": "diastolic",
                    "fasting_glucose_below": "fasting_glucose",
                    "postprandial_glucose_below": "after_meal_glucose"}


@dataclass(frozen=True)
class Advice:
    title: str
    text: str


@dataclass(frozen=True)
class HomeReadingRules:
    source: str
    after_meal_glucose_high_at: float
    after_meal_glucose_source: str
    repeated_high_count: int
    repeated_high_days: int
    advice: dict[str, Advice]


@dataclass(frozen=True)
class ReadingAssessment:
    level: str  # urgent | high | normal
    emergencies: tuple[Decision, ...]  # the 危急情况 found, with their basis
    above_target: tuple[str, ...]  # "systolic=152 ≥ 140 (target bp_target_general)", …
    advice: Advice


def load_home_rules(path: Path = DATA_DIR / "home_readings.yaml") -> HomeReadingRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        repeated = data["repeated_high"]
        rules = HomeReadingRules(
            source=str(data["source"]),
            after_meal_glucose_high_at=float(data["after_meal_glucose_high_at"]),
            after_meal_glucose_source=str(data["after_meal_glucose_source"]),
            repeated_high_count=int(repeated["count"]), repeated_high_days=int(repeated["days"]),
            advice={level: Advice(str(data["advice"][level]["title"]),
                                  str(data["advice"][level]["text"])) for level in LEVELS})
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"{path.name}: {exc!r}") from exc
    if not (rules.repeated_high_count >= 2 and 1 <= rules.repeated_high_days <= 31):
        raise RulesError(f"{path.name}: repeated_high needs count ≥ 2 and days 1–31")
    return rules


@cache
def default_home_rules() -> HomeReadingRules:
    return load_home_rules()


def assess_home_reading(readings: Mapping[str, float], symptoms: frozenset[str],
                        programmes: tuple[str, ...], age: int,
                        personal_targets: Mapping[str, float] | None = None,
                        after_meal: bool = False, rules: FollowUpRules | None = None,
                        home: HomeReadingRules | None = None) -> ReadingAssessment:
    """Assess one reading of a resident in these programmes. An after-meal glucose is given as
    `random_glucose` with `after_meal=True` (the emergency criteria apply to any glucose)."""
    rules, home = rules or default_rules(), home or default_home_rules()
    check_readings(readings, rules)
    if not programmes:
        raise FollowUpInputError("programmes: the resident is in no programme")
    unknown = sorted(symptoms - set(rules.symptoms))
    if unknown:
        raise FollowUpInputError(f"symptoms: unknown {unknown}")
    found: dict[str, Decision] = {}
    above: list[str] = []
    for programme_id in programmes:
        programme = rules.programme(programme_id)
        for decision in find_emergencies(programme, readings, symptoms, frozenset()):
            found.setdefault(decision.rule, decision)
        target = programme.target_for(age)
        measured = {r: readings[r] for r in programme.control_requires if r in readings}
        if measured and len(measured) == len(programme.control_requires) and \
                target.satisfied_when.evidence(measured, frozenset(), frozenset()) is None:
            values = ", ".join(f"{r}={v:g}" for r, v in measured.items())
            above.append(f"{values} (target {target.id})")
    glucose = readings.get("random_glucose")
    if after_meal and glucose is not None and glucose >= home.after_meal_glucose_high_at:
        above.append(f"after_meal_glucose={glucose:g} ≥ {home.after_meal_glucose_high_at:g}")
    for key, limit in (personal_targets or {}).items():
        name = PERSONAL_TARGETS.get(key)
        value = (glucose if after_meal else None) if name == "after_meal_glucose" \
            else readings.get(name or "")
        if value is not None and value >= limit:
            above.append(f"{name}={value:g} ≥ {limit:g} (personal target)")
    level = "urgent" if found else "high" if above else "normal"
    return ReadingAssessment(level=level, emergencies=tuple(found.values()),
                             above_target=tuple(dict.fromkeys(above)),
                             advice=home.advice[level])


def target_band(programmes: tuple[str, ...], age: int,
                personal_targets: Mapping[str, float] | None = None,
                rules: FollowUpRules | None = None,
                home: HomeReadingRules | None = None) -> dict[str, float]:
    """The lines a resident's trend chart draws: the standard's target for their age (or their
    own, stricter, target), and the glucose floor of the 危急情况."""
    rules, home = rules or default_rules(), home or default_home_rules()
    band: dict[str, float] = {}
    for programme_id in programmes:
        programme = rules.programme(programme_id)
        for criterion in _leaves([programme.target_for(age).satisfied_when]):
            if criterion.comparator == "below":
                band[f"{criterion.subject}_below"] = criterion.limit
        floors = [c.limit for c in _leaves(e.when for e in programme.emergency)
                  if c.subject == "fasting_glucose" and c.comparator == "at_most"]
        if floors:  # a glucose at or below this is a 危急情况
            band["glucose_above"] = max(floors)
            band["after_meal_glucose_below"] = home.after_meal_glucose_high_at
    renamed = {"postprandial_glucose_below": "after_meal_glucose_below"}
    for key, limit in (personal_targets or {}).items():
        name = renamed.get(key, key)
        if name in band:
            band[name] = min(band[name], float(limit))
        elif key in PERSONAL_TARGETS:
            band[name] = float(limit)
    return band


def glucose_floor(rules: FollowUpRules | None = None) -> float | None:
    """The glucose at or below which the diabetes standard sees a 危急情况 (低血糖)."""
    rules = rules or default_rules()
    floors = [c.limit for programme in rules.programmes.values()
              for c in _leaves(e.when for e in programme.emergency)
              if c.subject in ("fasting_glucose", "random_glucose") and c.comparator == "at_most"]
    return max(floors) if floors else None


def _leaves(criteria) -> list[Criterion]:
    """The reading tests inside criteria, however nested."""
    stack, found = list(criteria), []
    while stack:
        criterion = stack.pop()
        stack.extend(criterion.parts)
        if criterion.kind == "reading":
            found.append(criterion)
    return found
