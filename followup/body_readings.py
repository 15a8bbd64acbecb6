"""What a resident's own weight, SpO₂ or temperature at home means (家庭自测), beside blood
pressure and glucose (`followup.readings`): urgent, high or normal, whether the doctor is told
today, and the words the resident sees.

Pure. The lines are data (`data/body_readings.yaml`), each kind naming its source and the
hospital's choice; a 危急情况 of the programme files (the diabetes standard's 体温超过39摄氏度)
is checked first, so the standard always wins over the hospital's own lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from followup.classify import check_readings, find_emergencies
from followup.readings import Advice
from followup.records import Decision, FollowUpInputError
from followup.rules import DATA_DIR, FollowUpRules, RulesError, default_rules

BODY_KINDS = ("weight", "spo2", "temperature")
MEASURES = ("value", "bmi", "loss_percent")
COMPARATORS = {"at_least": lambda v, x: v >= x, "above": lambda v, x: v > x,
               "at_most": lambda v, x: v <= x, "below": lambda v, x: v < x}
SYMBOL = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}


@dataclass(frozen=True)
class Band:
    id: str
    says: str
    level: str  # urgent | high
    tell_doctor: bool
    measure: str  # value | bmi | loss_percent
    comparator: str
    limit: float

    def holds(self, measures: Mapping[str, float]) -> str | None:
        """The basis ("bmi=28.4 ≥ 28") when the band holds; None when not (or not measured)."""
        value = measures.get(self.measure)
        if value is None or not COMPARATORS[self.comparator](value, self.limit):
            return None
        return f"{self.measure}={value:g} {SYMBOL[self.comparator]} {self.limit:g}"


@dataclass(frozen=True)
class BodyKind:
    id: str
    name: str
    unit: str
    source: str
    chosen: str
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class BodyReadingRules:
    edition: str
    effective: dt.date
    source: str
    kinds: dict[str, BodyKind]
    advice: dict[str, Advice]


@dataclass(frozen=True)
class BodyAssessment:
    level: str  # urgent | high | normal
    tell_doctor: bool  # the follow-up moves to today
    emergencies: tuple[Decision, ...]  # the programme files' 危急情况 found
    findings: tuple[str, ...]  # "高热（体温超过39℃）: value=39.4 > 39", …
    bands: tuple[str, ...]  # the band ids that held, most serious first
    advice: Advice


def load_body_rules(path: Path = DATA_DIR / "body_readings.yaml") -> BodyReadingRules:
    """Read and check the file; a mistake names the file and the entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kinds = {kind_id: _kind(path.name, kind_id, spec)
                 for kind_id, spec in data["kinds"].items()}
        advice = {key: Advice(str(value["title"]), str(value["text"]))
                  for key, value in data["advice"].items()}
        effective = data["effective"]
        rules = BodyReadingRules(str(data["edition"]), effective, str(data["source"]), kinds,
                                 advice)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"{path.name}: {exc!r}") from exc
    if not isinstance(effective, dt.date):
        raise RulesError(f"{path.name}: effective: not a date")
    if set(kinds) != set(BODY_KINDS):
        raise RulesError(f"{path.name}: kinds: needs exactly {BODY_KINDS}")
    needed = {band.id for kind in kinds.values() for band in kind.bands} | {
        f"normal_{kind}" for kind in kinds} | {"emergency"}
    missing = sorted(needed - set(advice))
    if missing:
        raise RulesError(f"{path.name}: advice: missing {missing}")
    return rules


def _kind(file: str, kind_id: str, spec: dict) -> BodyKind:
    bands = []
    for entry in spec["bands"]:
        where = f"{file}: kinds.{kind_id}.bands.{entry.get('id')}"
        when = dict(entry["when"])
        measure = when.pop("measure", "value")
        if measure not in MEASURES or len(when) != 1 or next(iter(when)) not in COMPARATORS:
            raise RulesError(f"{where}: when needs one of {sorted(COMPARATORS)} "
                             f"and a measure of {MEASURES}")
        if entry["level"] not in ("urgent", "high"):
            raise RulesError(f"{where}: level is urgent or high")
        comparator, limit = next(iter(when.items()))
        bands.append(Band(str(entry["id"]), str(entry["says"]), entry["level"],
                          bool(entry.get("tell_doctor")) or entry["level"] == "urgent",
                          measure, comparator, float(limit)))
    if not spec.get("source") or not spec.get("chosen"):
        raise RulesError(f"{file}: kinds.{kind_id}: needs its source and what was chosen")
    return BodyKind(kind_id, str(spec["name"]), str(spec["unit"]), str(spec["source"]),
                    str(spec["chosen"]), tuple(bands))


@cache
def default_body_rules() -> BodyReadingRules:
    return load_body_rules()


def measures(kind: str, value: float, height_cm: float | None = None,
             highest_recent_weight: float | None = None) -> dict[str, float]:
    """The numbers the bands judge: the value, and for weight the BMI (kg/m², one decimal, as
    WS/T 428 tabulates it) and the fall from the highest weight of the recent window (%)."""
    found = {"value": value}
    if kind == "weight":
        if height_cm:
            found["bmi"] = round(value / (height_cm / 100) ** 2, 1)
        if highest_recent_weight and highest_recent_weight > value:
            found["loss_percent"] = round((highest_recent_weight - value)
                                          / highest_recent_weight * 100, 1)
    return found


def assess_body_reading(kind: str, value: float, programmes: tuple[str, ...],
                        height_cm: float | None = None,
                        highest_recent_weight: float | None = None,
                        rules: FollowUpRules | None = None,
                        body: BodyReadingRules | None = None) -> BodyAssessment:
    """Assess one reading of `kind` (weight in kg, spo2 in %, temperature in ℃) of a resident
    in these programmes. Values outside what is possible raise FollowUpInputError."""
    rules, body = rules or default_rules(), body or default_body_rules()
    if kind not in body.kinds:
        raise FollowUpInputError(f"kind: unknown body reading {kind!r}")
    if not programmes:
        raise FollowUpInputError("programmes: the resident is in no programme")
    checked = {kind: value} | ({"height": height_cm} if height_cm is not None else {})
    check_readings(checked, rules)
    emergencies: dict[str, Decision] = {}
    for programme_id in programmes:
        for decision in find_emergencies(rules.programme(programme_id), {kind: value},
                                         frozenset(), frozenset()):
            emergencies.setdefault(decision.rule, decision)
    numbers = measures(kind, value, height_cm, highest_recent_weight)
    held = [(band, basis) for band in body.kinds[kind].bands
            if (basis := band.holds(numbers)) is not None]
    findings = [f"{d.says}: {'; '.join(d.basis)}" for d in emergencies.values()]
    findings += [f"{band.says}: {basis}" for band, basis in held]
    if emergencies or any(band.level == "urgent" for band, _ in held):
        level = "urgent"
    elif held:
        level = "high"
    else:
        level = "normal"
    first = next((band for band, _ in held if band.level == level), None)
    if emergencies and first is None:  # the standard's 危急情况 over the hospital's own lines
        advice = body.advice["emergency"]
    else:
        advice = body.advice[first.id if first else f"normal_{kind}"]
    return BodyAssessment(level=level,
                          tell_doctor=level == "urgent" or any(b.tell_doctor for b, _ in held),
                          emergencies=tuple(emergencies.values()), findings=tuple(findings),
                          bands=tuple(band.id for band, _ in held), advice=advice)
