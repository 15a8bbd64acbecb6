"""What the child has had (接种记录) and what the assessment says about each dose.

A record is checked before anything is computed: an unknown vaccine, a dose before birth or in
the future is the caller's error (`RecordError`, naming the record), not a dose to flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from vaccination.schedule import Programme

MAX_RECORDS = 300  # a child has about 25 programme doses; thousands means a broken import


class RecordError(ValueError):
    """A vaccination record cannot be assessed as given; the message names it."""


@dataclass(frozen=True)
class DoseGiven:
    """One dose as recorded: vaccine code, 剂次 as written, date given."""

    vaccine: str
    dose: int
    given_on: date


class DoseState(StrEnum):
    COMPLETED = "completed"  # a valid dose counts for it
    DUE = "due"  # may be given today, before its deadline
    OVERDUE = "overdue"  # its 适时接种 deadline has passed: catch up (补种) as soon as allowed
    NOT_YET_DUE = "not_yet_due"  # too young, or too soon after the previous dose
    CLINIC_DECIDES = "clinic_decides"  # the document asks the clinic (a PPD test, a DT course)
    PAST_AGE_LIMIT = "past_age_limit"  # no longer given at this age (不再补种)


class Flaw(StrEnum):
    """Why a recorded dose does not count (it stays on the record, flagged for the clinic)."""

    TOO_EARLY = "too_early"  # before the dose's minimum age
    TOO_CLOSE = "too_close"  # before the minimum interval from an earlier dose
    LIVE_SPACING = "live_spacing"  # 1-27 days after another injectable live vaccine
    WRONG_VACCINE = "wrong_vaccine"  # not a vaccine this dose accepts (bOPV for the IPV doses)
    EXTRA_DOSE = "extra_dose"  # the course was already complete
    DUPLICATE = "duplicate"  # the same vaccine on the same day as a counted dose (entered twice)


@dataclass(frozen=True)
class FlaggedDose:
    record: DoseGiven
    series: str
    dose: int  # the dose of the course it was given for
    flaw: Flaw
    explanation: str  # the dates and the rule, in the clinic's words
    citation: str


@dataclass(frozen=True)
class DoseStatus:
    """One dose of one course on the assessment date, with the rule that decided it."""

    series: str
    series_name: str
    dose: int
    state: DoseState
    vaccines: tuple[str, ...]
    rule: str  # the document's words for this dose
    citation: str  # edition and section of the version that governs this dose
    earliest: date | None  # the first day it may be given (None: not to be given)
    latest: date | None  # the last day within the document's recommended age
    earliest_because: str
    latest_because: str
    given_on: date | None = None
    recorded_dose: int | None = None  # 剂次 as written on the record, when it differs


@dataclass(frozen=True)
class Assessment:
    birth_date: date
    on: date
    doses: tuple[DoseStatus, ...]
    flagged: tuple[FlaggedDose, ...]

    def of(self, series: str) -> tuple[DoseStatus, ...]:
        return tuple(d for d in self.doses if d.series == series)

    def dose(self, series: str, number: int) -> DoseStatus:
        for status in self.doses:
            if status.series == series and status.dose == number:
                return status
        raise KeyError(f"{series} dose {number} is not in this assessment")


def check_records(birth_date: date, on: date, records: list[DoseGiven],
                  schedule: Programme) -> None:
    for what, value in (("birth date", birth_date), ("assessment date", on)):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise RecordError(f"the {what} must be a calendar date, not {value!r}")
    if len(records) > MAX_RECORDS:
        raise RecordError(f"{len(records)} records for one child: more than {MAX_RECORDS}, "
                          "refusing to assess what looks like a broken import")
    if on < birth_date:
        raise RecordError(f"assessment date {on} is before the birth date {birth_date}")
    for record in records:
        where = f"record {record.vaccine} dose {record.dose} on {record.given_on}"
        if not isinstance(record.given_on, date) or isinstance(record.given_on, datetime):
            raise RecordError(f"{where}: the date given must be a calendar date")
        if record.vaccine not in schedule.vaccines:
            raise RecordError(f"{where}: unknown vaccine code {record.vaccine!r}")
        if not isinstance(record.dose, int) or record.dose < 1:
            raise RecordError(f"{where}: the dose number must be 1 or more")
        if record.given_on < birth_date:
            raise RecordError(f"{where}: given before the birth date {birth_date}")
        if record.given_on > on:
            raise RecordError(f"{where}: dated after the assessment date {on}")
