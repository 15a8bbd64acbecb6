"""Short ways to write a child's record in test tables: "HepB 1 2024-01-15"."""

from __future__ import annotations

from datetime import date

from vaccination import DoseGiven


def day(text: str) -> date:
    return date.fromisoformat(text)


def records(*lines: str) -> list[DoseGiven]:
    out = []
    for line in lines:
        vaccine, dose, given_on = line.split()
        out.append(DoseGiven(vaccine, int(dose), day(given_on)))
    return out
