"""Children's vaccination (儿童预防接种): the national programme schedule and what is due.

Its own package rather than part of `followup/`: the schedule is a national document with its
own versions by effective date (the 2021 edition, the 2025 DTaP change), its own rules (minimum
ages and intervals, catch-up, live-vaccine spacing) and its own people (parents and the 接种门诊),
while `followup/` is chronic-disease plans a family doctor sets per resident. What the two share,
due dates stored as rows and dispatched by one job, belongs to `backend`, not to either package.

Pure Python: the schedule is data naming its source (`vaccination/data/`), the assessment a
function over dataclasses. No Flask, no database, no other domain package.
"""

from vaccination.assess import assess
from vaccination.records import (
    Assessment,
    DoseGiven,
    DoseState,
    DoseStatus,
    FlaggedDose,
    Flaw,
    RecordError,
)
from vaccination.schedule import Programme, ScheduleError, load_programme, programme

__all__ = ["Assessment", "DoseGiven", "DoseState", "DoseStatus", "FlaggedDose", "Flaw",
           "Programme", "RecordError", "ScheduleError", "assess", "load_programme", "programme"]
