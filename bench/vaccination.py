"""Vaccination: reading the immunisation system's file, and assessing one child.

Parse: a CSV of ROWS doses (the import's upper limit is 20,000 lines) checked line by line, as
`POST /admin/vaccination/imports` does before touching the database. Assess: `vaccination.assess`
for CHILDREN children of every age from birth to 7 years with the doses of a child brought on
time — the work the reminder job does per due row and the parent's page per view. In process,
no database: the cost of the rules themselves.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, timedelta

from backend.services.vaccination.iis_file import parse
from vaccination import DoseGiven, assess, programme

ROWS = int(os.environ.get("BENCH_VACCINATION_ROWS", "20000"))
CHILDREN = int(os.environ.get("BENCH_VACCINATION_CHILDREN", "2000"))
ON = date(2026, 12, 1)


def _check_char(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _file(rows: int) -> str:
    lines = ["身份证号,出生日期,疫苗,剂次,接种日期,疫苗批号"]
    for n in range(rows):
        birth = ON - timedelta(days=400 + n % 2000)
        body = f"110105{birth:%Y%m%d}{n % 1000:03d}"
        lines.append(f"{body}{_check_char(body)},{birth.isoformat()},HepB,{n % 3 + 1},"
                     f"{(birth + timedelta(days=30 * (n % 3))).isoformat()},B{n:06d}")
    return "\n".join(lines) + "\n"


def _on_time(birth: date) -> list[DoseGiven]:
    """Every programme dose at its recommended age that has come by ON (the schedule in force
    on ON: a realistic amount of work, not a check of the 2025 change)."""
    schedule = programme()
    doses = []
    for series in schedule.series.values():
        if series.alternative_of and not series.default:
            continue
        version = series.version_on(ON)
        for rule in version.doses:
            given = rule.age.after(birth)
            if given <= ON:
                doses.append(DoseGiven(rule.vaccines[0], rule.dose, given))
    return doses


def main() -> None:
    text = _file(ROWS)
    started = time.perf_counter()
    rows = parse(text, programme(), ON)
    parse_s = time.perf_counter() - started
    assert len(rows) == ROWS
    timings = []
    for birth in (ON - timedelta(days=(n * 7) % 2555) for n in range(CHILDREN)):
        records = _on_time(birth)
        started = time.perf_counter()
        assess(birth, records, ON)
        timings.append(time.perf_counter() - started)
    timings.sort()
    print("\nVaccination (in process, no database)")
    print("| what | count | total | per item | p95 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| parse and check the IIS file | {ROWS} lines | {parse_s:.2f} s | "
          f"{parse_s / ROWS * 1e6:.0f} µs | — |")
    total = sum(timings)
    print(f"| assess a child (0–7 years, on time) | {CHILDREN} children | {total:.2f} s | "
          f"{statistics.mean(timings) * 1e3:.2f} ms | "
          f"{timings[int(len(timings) * 0.95)] * 1e3:.2f} ms |")
