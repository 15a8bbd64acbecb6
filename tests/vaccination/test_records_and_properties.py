"""Records the assessment refuses, and properties that hold for any child.

The property test follows a child whose parents bring them on the first day each dose may be
given, from any birth date 2012-2026 (so across the 2025 DTaP change), and checks on random days
afterwards that a completed course never shows a dose as due and no dose is ever flagged.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vaccination.support import day, records
from vaccination import DoseGiven, DoseState, RecordError, assess

GIVABLE = {DoseState.DUE, DoseState.OVERDUE}


@pytest.mark.parametrize(("given", "on", "message"), [
    (("HepZ 1 2026-01-10",), "2026-02-01", "unknown vaccine code 'HepZ'"),
    (("HepB 1 2025-12-31",), "2026-02-01", "given before the birth date 2026-01-10"),
    (("HepB 1 2026-03-01",), "2026-02-01", "dated after the assessment date 2026-02-01"),
    (("HepB 0 2026-01-10",), "2026-02-01", "the dose number must be 1 or more"),
    ((), "2026-01-09", "assessment date 2026-01-09 is before the birth date"),
])
def test_a_record_that_cannot_be_true_is_refused_naming_it(given, on, message):
    with pytest.raises(RecordError, match=message):
        assess(day("2026-01-10"), records(*given), day(on))


def test_dates_must_be_calendar_dates_and_the_record_of_sensible_size():
    with pytest.raises(RecordError, match="the date given must be a calendar date"):
        assess(day("2026-01-10"), [DoseGiven("HepB", 1, "2026-01-10")], day("2026-02-01"))
    with pytest.raises(RecordError, match="the assessment date must be a calendar date"):
        assess(day("2026-01-10"), [], datetime(2026, 2, 1, 9, 30))
    flood = [DoseGiven("HepB", 1, day("2026-01-10"))] * 301
    with pytest.raises(RecordError, match="301 records for one child"):
        assess(day("2026-01-10"), flood, day("2026-02-01"))


def test_a_dose_counts_by_date_order_and_keeps_the_number_written_on_the_record():
    result = assess(day("2026-01-10"), records("HepB 2 2026-01-10"), day("2026-01-20"))
    first = result.dose("hepb", 1)
    assert first.state == DoseState.COMPLETED and first.recorded_dose == 2


def test_every_status_carries_its_rule_and_dates_except_past_age_limit():
    result = assess(day("2022-01-10"), [], day("2026-06-01"))
    for status in result.doses:
        assert status.rule and status.citation and status.earliest_because
        if status.state == DoseState.PAST_AGE_LIMIT:
            assert status.earliest is None
        else:
            assert status.earliest is not None


def follow_on_time(birth: date, until: date) -> list[DoseGiven]:
    """Every dose given on the first day it may be given (all due doses the same day)."""
    given: list[DoseGiven] = []
    today = birth
    while today <= until:
        result = assess(birth, given, today)
        assert not result.flagged, result.flagged
        assert not [s for s in result.doses if s.state == DoseState.CLINIC_DECIDES]
        due = [s for s in result.doses if s.state in GIVABLE]
        given += [DoseGiven(s.vaccines[0], s.dose, today) for s in due]
        result = assess(birth, given, today)
        later = [s.earliest for s in result.doses
                 if s.state == DoseState.NOT_YET_DUE and s.earliest > today]
        if not later:
            break
        today = min(later)
    return given


@settings(max_examples=60, deadline=None)
@given(birth=st.dates(date(2012, 1, 1), date(2026, 12, 1)),
       offsets=st.lists(st.integers(0, 18 * 365), min_size=1, max_size=4))
def test_a_child_brought_on_time_is_never_flagged_nor_overdue(birth, offsets):
    given_doses = follow_on_time(birth, birth + timedelta(days=8 * 365))
    assert len(given_doses) == 3 + 1 + 4 + 5 + 2 + 2 + 2 + 2 + 1  # every programme dose
    for offset in offsets:
        on = birth + timedelta(days=offset)
        result = assess(birth, [g for g in given_doses if g.given_on <= on], on)
        assert not result.flagged
        assert not [s for s in result.doses if s.state == DoseState.OVERDUE], on
        for series in {s.series for s in result.doses}:
            done = [s.dose for s in result.of(series) if s.state == DoseState.COMPLETED]
            assert done == list(range(1, len(done) + 1)), series  # no gaps in a course


@settings(max_examples=40, deadline=None)
@given(birth=st.dates(date(2012, 1, 1), date(2018, 12, 1)),
       years_later=st.integers(0, 11), extra_days=st.integers(0, 364))
def test_a_completed_course_never_shows_a_dose_due(birth, years_later, extra_days):
    given_doses = follow_on_time(birth, birth + timedelta(days=8 * 365))
    last = max(g.given_on for g in given_doses)
    on = last + timedelta(days=365 * years_later + extra_days)
    result = assess(birth, given_doses, on)
    assert {s.state for s in result.doses} == {DoseState.COMPLETED}
    assert not [s for s in result.doses if s.state in GIVABLE]


def test_a_record_imported_twice_counts_once_and_the_copy_is_flagged():
    twice = records("MMR 1 2026-02-01", "MMR 1 2026-02-01")
    result = assess(day("2025-06-01"), twice, day("2026-02-10"))
    assert result.dose("mmr", 1).state == DoseState.COMPLETED
    assert result.dose("mmr", 2).state == DoseState.NOT_YET_DUE
    assert [(f.flaw, f.dose) for f in result.flagged] == [("duplicate", 1)]
