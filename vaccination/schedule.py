"""The national programme schedule and the non-programme vaccines, loaded from `data/`.

Formats are in `data/README.md`. Loading validates every file, so a mistake in a transcribed
row (an unknown vaccine, a dose out of order, a deadline before the dose's own age) stops the
service at start-up and fails the tests, never reaches a parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from vaccination.ages import AgeFormatError, Span

DATA_DIR = Path(__file__).resolve().parent / "data"
ROUTES = ("injection", "oral")


class ScheduleError(ValueError):
    """A schedule file does not follow its format; the message names the file and the entry."""


@dataclass(frozen=True)
class Vaccine:
    code: str
    name: str
    live: bool
    route: str
    programme: bool  # 免疫规划疫苗 (True) or 非免疫规划疫苗
    ages: str = ""  # non-programme only: the ages as the product insert says them
    doses: str = ""

    @property
    def live_injectable(self) -> bool:
        """Two of these not given the same day must be ≥28 days apart (一（四）)."""
        return self.live and self.route == "injection"


@dataclass(frozen=True)
class Edition:
    id: str
    title: str
    effective: date


@dataclass(frozen=True)
class AlsoAfter:
    """A minimum interval from a dose of another series (MPSV-AC 1 ≥12 months after MPSV-A 2)."""

    series: str
    dose: int
    interval: Span


@dataclass(frozen=True)
class DoseRule:
    dose: int
    vaccines: tuple[str, ...]
    age: Span  # the table's age: minimum and recommended (一（一）)
    rule: str  # the document's words for this dose
    min_interval: Span | None = None  # from the previous valid dose of the series
    also_after: tuple[AlsoAfter, ...] = ()
    complete_by: Span | None = None  # 适时接种: give before this age (一（二）)


@dataclass(frozen=True)
class ClinicDecides:
    """An age band where the document asks the clinic to decide (a PPD test first, a DT
    catch-up course): the remaining doses are shown as the clinic's decision, not as due."""

    from_age: Span
    reason: str
    to_age: Span | None = None
    fewer_than: int | None = None  # applies only while fewer valid doses than this


@dataclass(frozen=True)
class SeriesVersion:
    edition: Edition
    section: str
    catch_up: str
    doses: tuple[DoseRule, ...]
    clinic_decides: tuple[ClinicDecides, ...] = ()

    @property
    def citation(self) -> str:
        return f"《{self.edition.title}》{self.section}"


@dataclass(frozen=True)
class Series:
    """One antigen's course (乙肝疫苗 3 doses, 百白破 5 doses …), in every version in force."""

    id: str
    name: str
    versions: tuple[SeriesVersion, ...]  # oldest first
    upper_age: Span  # not given (不再补种) from this age
    alternative_of: str | None = None  # je / hepa: live or inactivated, one of them
    default: bool = False  # the scheme shown before any dose of its group is recorded

    @property
    def dose_count(self) -> int:
        return len(self.versions[0].doses)

    def version_on(self, day: date) -> SeriesVersion:
        """The newest version in force on `day` (the first one before any was)."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.edition.effective <= day:
                chosen = version
        return chosen


@dataclass(frozen=True)
class Programme:
    source: str
    editions: dict[str, Edition]
    vaccines: dict[str, Vaccine]  # programme and non-programme, by code
    series: dict[str, Series]
    live_spacing_days: int
    live_spacing_rule: str
    simultaneous_rule: str
    catch_up_rule: str
    premature_rule: str
    non_programme_source: str

    def series_of(self, vaccine: str) -> tuple[Series, ...]:
        return tuple(s for s in self.series.values()
                     if any(vaccine in d.vaccines for v in s.versions for d in v.doses))


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise ScheduleError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or not str(data.get("source", "")).strip():
        raise ScheduleError(f"{path.name}: must be a mapping that names its `source`")
    return data


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ScheduleError(f"{where}: {message}")


def _span(value: object, where: str) -> Span:
    try:
        return Span.parse(value)
    except AgeFormatError as exc:
        raise ScheduleError(f"{where}: {exc}") from exc


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    _require(isinstance(value, str) and value.strip() != "", where, f"needs a non-empty `{key}`")
    return str(value).strip()


def _vaccines(entries: Any, where: str, programme: bool) -> dict[str, Vaccine]:
    _require(isinstance(entries, dict) and entries, where, "`vaccines` must be a non-empty map")
    found = {}
    for code, entry in entries.items():
        at = f"{where} vaccines.{code}"
        _require(isinstance(entry, dict), at, "must be a mapping")
        _require(isinstance(entry.get("live"), bool), at, "`live` must be true or false")
        _require(entry.get("route") in ROUTES, at, f"`route` must be one of {ROUTES}")
        extra = {} if programme else {"ages": _text(entry, "ages", at),
                                      "doses": _text(entry, "doses", at)}
        found[str(code)] = Vaccine(code=str(code), name=_text(entry, "name", at),
                                   live=entry["live"], route=entry["route"],
                                   programme=programme, **extra)
    return found


def _dose(entry: Any, number: int, vaccines: dict[str, Vaccine], where: str) -> DoseRule:
    at = f"{where} dose {number}"
    _require(isinstance(entry, dict), at, "must be a mapping")
    _require(entry.get("dose") == number, at, f"doses must be numbered 1, 2, … (found "
             f"{entry.get('dose')!r})")
    codes = entry.get("vaccines")
    _require(isinstance(codes, list) and codes, at, "`vaccines` must be a non-empty list")
    for code in codes:
        _require(code in vaccines and vaccines[code].programme, at,
                 f"unknown programme vaccine {code!r}")
    age = _span(entry.get("age"), at)
    complete_by = _span(entry["complete_by"], at) if entry.get("complete_by") else None
    _require(complete_by is None or complete_by.approx_days() > age.approx_days(), at,
             "`complete_by` must be later than `age`")
    interval = _span(entry["min_interval"], at) if entry.get("min_interval") else None
    _require(number > 1 or interval is None, at, "the first dose has no `min_interval`")
    also = []
    for item in entry.get("also_after") or ():
        _require(isinstance(item, dict) and {"series", "dose", "interval"} <= set(item), at,
                 "`also_after` items need series, dose and interval")
        also.append(AlsoAfter(str(item["series"]), int(item["dose"]),
                              _span(item["interval"], at)))
    return DoseRule(dose=number, vaccines=tuple(map(str, codes)), age=age,
                    rule=_text(entry, "rule", at), min_interval=interval,
                    also_after=tuple(also), complete_by=complete_by)


def _version(entry: Any, editions: dict[str, Edition], vaccines: dict[str, Vaccine],
             where: str) -> SeriesVersion:
    _require(isinstance(entry, dict), where, "each version must be a mapping")
    _require(entry.get("edition") in editions, where,
             f"unknown edition {entry.get('edition')!r}")
    at = f"{where} ({entry['edition']})"
    doses = entry.get("doses")
    _require(isinstance(doses, list) and doses, at, "`doses` must be a non-empty list")
    rules = tuple(_dose(d, i, vaccines, at) for i, d in enumerate(doses, start=1))
    for earlier, later in pairwise(rules):
        _require(later.age.approx_days() >= earlier.age.approx_days(), at,
                 f"dose {later.dose} is younger than dose {earlier.dose}")
    decides = []
    for item in entry.get("clinic_decides") or ():
        _require(isinstance(item, dict), at, "`clinic_decides` items must be mappings")
        decides.append(ClinicDecides(
            from_age=_span(item.get("from_age"), at), reason=_text(item, "reason", at),
            to_age=_span(item["to_age"], at) if item.get("to_age") else None,
            fewer_than=int(item["fewer_than"]) if item.get("fewer_than") else None))
    return SeriesVersion(edition=editions[entry["edition"]], section=_text(entry, "section", at),
                         catch_up=_text(entry, "catch_up", at), doses=rules,
                         clinic_decides=tuple(decides))


def _series(series_id: str, entry: Any, editions: dict[str, Edition],
            vaccines: dict[str, Vaccine], general_upper: Span, where: str) -> Series:
    at = f"{where} series.{series_id}"
    _require(isinstance(entry, dict), at, "must be a mapping")
    raw = entry.get("versions")
    _require(isinstance(raw, list) and raw, at, "`versions` must be a non-empty list")
    versions = tuple(_version(v, editions, vaccines, at) for v in raw)
    dates = [v.edition.effective for v in versions]
    _require(dates == sorted(set(dates)), at, "versions must be oldest first, one per edition")
    _require(len({len(v.doses) for v in versions}) == 1, at,
             "every version must have the same number of doses (dose n replaces dose n)")
    upper = _span(entry["upper_age"], at) if entry.get("upper_age") else general_upper
    return Series(id=series_id, name=_text(entry, "name", at), versions=versions,
                  upper_age=upper, alternative_of=entry.get("alternative_of"),
                  default=bool(entry.get("default", False)))


def load_programme(directory: Path = DATA_DIR) -> Programme:
    """Read and check `programme.yaml` and `non_programme.yaml` in `directory`."""
    where = "programme.yaml"
    data = _read(directory / where)
    raw_editions = data.get("editions")
    _require(isinstance(raw_editions, dict) and raw_editions, where, "needs `editions`")
    editions = {}
    for key, entry in raw_editions.items():
        at = f"{where} editions.{key}"
        _require(isinstance(entry, dict) and isinstance(entry.get("effective"), date), at,
                 "needs a title and an `effective` date (YYYY-MM-DD)")
        editions[key] = Edition(id=key, title=_text(entry, "title", at),
                                effective=entry["effective"])
    general = data.get("general_rules")
    _require(isinstance(general, dict), where, "needs `general_rules`")
    at = f"{where} general_rules"
    spacing = general.get("live_spacing_days")
    _require(isinstance(spacing, int) and spacing > 0, at, "`live_spacing_days` must be > 0")
    vaccines = _vaccines(data.get("vaccines"), where, programme=True)
    other_name = "non_programme.yaml"
    other = _read(directory / other_name)
    others = _vaccines(other.get("vaccines"), other_name, programme=False)
    clash = set(vaccines) & set(others)
    _require(not clash, other_name, f"codes already in programme.yaml: {sorted(clash)}")
    vaccines.update(others)
    upper = _span(general.get("upper_age"), at)
    raw_series = data.get("series")
    _require(isinstance(raw_series, dict) and raw_series, where, "needs `series`")
    series = {str(k): _series(str(k), v, editions, vaccines, upper, where)
              for k, v in raw_series.items()}
    _check_references(series, where)
    return Programme(
        source=str(data["source"]).strip(), editions=editions, vaccines=vaccines,
        series=series, live_spacing_days=spacing,
        live_spacing_rule=_text(general, "live_spacing", at),
        simultaneous_rule=_text(general, "simultaneous", at),
        catch_up_rule=_text(general, "catch_up", at),
        premature_rule=_text(general, "premature", at),
        non_programme_source=str(other["source"]).strip())


def _check_references(series: dict[str, Series], where: str) -> None:
    """`also_after` names a dose of a series listed earlier (assessed first); alternatives
    (live or inactivated) come in groups with one default."""
    groups: dict[str, list[Series]] = {}
    seen: set[str] = set()
    for one in series.values():
        seen.add(one.id)
        if one.alternative_of:
            groups.setdefault(one.alternative_of, []).append(one)
        for version in one.versions:
            for dose in version.doses:
                for ref in dose.also_after:
                    _require(ref.series in seen and
                             1 <= ref.dose <= series[ref.series].dose_count,
                             f"{where} series.{one.id} dose {dose.dose}",
                             "`also_after` must name a dose of this or an earlier series, "
                             f"not {ref.series} {ref.dose}")
    for group, members in groups.items():
        _require(len(members) > 1 and sum(m.default for m in members) == 1,
                 f"{where} alternative {group}",
                 "needs two or more series and exactly one marked `default: true`")


@cache
def programme() -> Programme:
    """The shipped schedule, loaded once per process."""
    return load_programme()
