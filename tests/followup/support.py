"""Small builders for follow-up visits, so each test row reads like the 随访记录表."""

from __future__ import annotations

import datetime as dt

from followup import FollowUpVisit, ProgrammeFindings, classify

HT, DM = "hypertension", "type2_diabetes"


def visit(on: dt.date, *, age: int = 60, ht: ProgrammeFindings | None = None,
          dm: ProgrammeFindings | None = None, symptoms: tuple[str, ...] = (),
          flags: tuple[str, ...] = (), **readings: float) -> FollowUpVisit:
    programmes = {}
    if ht is not None:
        programmes[HT] = ht
    if dm is not None:
        programmes[DM] = dm
    return FollowUpVisit(visited_on=on, age=age, programmes=programmes, readings=readings,
                         symptoms=frozenset(symptoms), flags=frozenset(flags))


def hypertension_visit(on: dt.date, systolic: float, diastolic: float, *, age: int = 60,
                       previous=None, **findings):
    """Classify a hypertension-only visit; returns its one ProgrammeOutcome."""
    result = classify(visit(on, age=age, ht=ProgrammeFindings(**findings), systolic=systolic,
                            diastolic=diastolic), previous={HT: previous} if previous else None)
    return result.outcomes[HT]
