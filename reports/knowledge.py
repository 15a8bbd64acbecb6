"""The data files, loaded once: tests and their words, national intervals, critical limits.

A hospital's own critical-value table replaces the default rows of the tests it names
(`with_critical_values`); everything else is shared and read-only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
_AGE = re.compile(r"^(\d+)([dmy])$")


class KnowledgeError(ValueError):
    """A data file is malformed (caught by the tests, never at a patient's request)."""


@dataclass(frozen=True)
class TestInfo:
    """One laboratory test and what to say about it (检验项目)."""

    code: str
    loinc: str | None
    names: tuple[str, ...]
    panel: str
    unit: str
    measures: str
    high: str = ""
    low: str = ""
    normal: str | None = None  # "negative" | "positive" for qualitative tests
    positive: str = ""
    negative: str = ""
    convert: dict[str, float] = field(default_factory=dict)
    confidential: bool = False
    source: str = ""

    @property
    def qualitative(self) -> bool:
        return self.normal is not None


@dataclass(frozen=True)
class Band:
    """A row of an interval or critical-limit table: test, sex, age [from, to) in days."""

    test: str
    sex: str  # "male" | "female" | "any"
    from_days: int
    to_days: int
    low: float | None
    high: float | None
    source: str  # the full citation
    lab_reviewed: bool = True  # False: typed from the standard, not yet checked by the lab

    def covers(self, sex: str | None, age_days: int) -> bool:
        return (self.sex == "any" or self.sex == sex) and self.from_days <= age_days < self.to_days


def normalise_name(name: str) -> str:
    """Fold width, case and spacing so "ＡＬＴ", "alt " and "ALT" find the same test."""
    text = unicodedata.normalize("NFKC", name).lower()
    return re.sub(r"[\s_]", "", text)


def age_days(text: str) -> int:
    match = _AGE.match(str(text).strip())
    if not match:
        raise KnowledgeError(f"bad age {text!r}: use <n>d, <n>m or <n>y")
    number, unit = int(match[1]), match[2]
    return {"d": number, "m": int(number * DAYS_PER_MONTH),
            "y": int(number * DAYS_PER_YEAR)}[unit]


def _lab_reviewed(row: dict[str, Any]) -> bool:
    """`lab_review: pending`, or `{by: …, on: …}` once the laboratory has checked the row."""
    review = row.get("lab_review")
    if review == "pending":
        return False
    if isinstance(review, dict) and review.get("by") and review.get("on"):
        return True
    raise KnowledgeError(f"row for {row['test']} {row.get('age')}: lab_review must be "
                         "'pending' or {by: <reviewer>, on: <date>}")


def _bands(rows: list[dict[str, Any]], sources: dict[str, str],
           reviewed: bool | None = None) -> dict[str, tuple[Band, ...]]:
    """`reviewed`: None for our data files (each row says), True for a hospital's own table."""
    table: dict[str, list[Band]] = {}
    for row in rows:
        if row["source"] not in sources:
            raise KnowledgeError(f"row for {row['test']} names unknown source {row['source']}")
        if row.get("low") is None and row.get("high") is None:
            raise KnowledgeError(f"row for {row['test']} has neither low nor high")
        start, end = (age_days(a) for a in row["age"])
        table.setdefault(row["test"], []).append(Band(
            row["test"], row.get("sex", "any"), start, end, _number(row.get("low")),
            _number(row.get("high")), sources[row["source"]],
            _lab_reviewed(row) if reviewed is None else reviewed))
    return {code: tuple(rows) for code, rows in table.items()}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Knowledge:
    tests: dict[str, TestInfo]
    intervals: dict[str, tuple[Band, ...]]
    critical: dict[str, tuple[Band, ...]]
    _by_name: dict[str, str]
    _by_loinc: dict[str, str]

    def find(self, code: str = "", name: str = "", loinc: str | None = None) -> TestInfo | None:
        """The test a lab result is about: by LOINC, then its name, then its code (short codes
        such as "PCT" mean different tests in different labs; names are more specific)."""
        if loinc and loinc in self._by_loinc:
            return self.tests[self._by_loinc[loinc]]
        for candidate in (name, code):
            found = self._by_name.get(normalise_name(candidate)) if candidate else None
            if found:
                return self.tests[found]
        return None

    def pending_review(self) -> list[tuple[str, Band]]:
        """Rows of our interval and critical tables the laboratory has not checked yet."""
        return [(table, band) for table, bands in (("reference_intervals", self.intervals),
                                                   ("critical_values", self.critical))
                for rows in bands.values() for band in rows if not band.lab_reviewed]

    def with_critical_values(self, rows: list[dict[str, Any]] | None) -> Knowledge:
        """A hospital's own 危急值 table: its rows replace the defaults of the tests it names."""
        if not rows:
            return self
        sources = {row["source"]: row["source"] for row in rows}
        own = _bands(rows, sources, reviewed=True)
        unknown = set(own) - set(self.tests)
        if unknown:
            raise KnowledgeError(f"critical values for unknown tests: {sorted(unknown)}")
        return replace(self, critical={**self.critical, **own})


def _load_tests() -> tuple[dict[str, TestInfo], dict[str, str], dict[str, str]]:
    tests: dict[str, TestInfo] = {}
    by_name: dict[str, str] = {}
    by_loinc: dict[str, str] = {}
    for path in sorted(DATA.glob("tests_*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for row in document["tests"]:
            info = TestInfo(
                code=row["code"], loinc=row.get("loinc"), names=tuple(row["names"]),
                panel=row["panel"], unit=row.get("unit") or "", measures=row["measures"],
                high=row.get("high", ""), low=row.get("low", ""), normal=row.get("normal"),
                positive=row.get("positive", ""), negative=row.get("negative", ""),
                convert={unit: float(f) for unit, f in (row.get("convert") or {}).items()},
                confidential=bool(row.get("confidential")),
                source=row.get("source", document["source"]))
            if info.code in tests:
                raise KnowledgeError(f"test {info.code} defined twice")
            tests[info.code] = info
            if info.loinc:
                by_loinc[info.loinc] = info.code
            for name in (info.code, *info.names):
                by_name.setdefault(normalise_name(name), info.code)
    return tests, by_name, by_loinc


@cache
def default_knowledge() -> Knowledge:
    tests, by_name, by_loinc = _load_tests()
    intervals_doc = yaml.safe_load((DATA / "reference_intervals.yaml").read_text("utf-8"))
    critical_doc = yaml.safe_load((DATA / "critical_values.yaml").read_text("utf-8"))
    intervals = _bands(intervals_doc["intervals"], intervals_doc["sources"])
    critical = _bands(critical_doc["critical_values"], critical_doc["sources"])
    unknown = (set(intervals) | set(critical)) - set(tests)
    if unknown:
        raise KnowledgeError(f"intervals for unknown tests: {sorted(unknown)}")
    return Knowledge(tests, intervals, critical, by_name, by_loinc)
