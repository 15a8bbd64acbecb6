"""Ages are counted on the calendar, as a clinic counts 满N月龄, never as 30-day months."""

from __future__ import annotations

import pytest

from tests.vaccination.support import day
from vaccination.ages import AgeFormatError, Span


@pytest.mark.parametrize(("span", "start", "expected"), [
    ("2m", "2026-01-15", "2026-03-15"),    # 满2月龄: same day two months on
    ("6m", "2025-08-31", "2026-02-28"),    # a shorter month: its last day
    ("1m", "2024-01-31", "2024-02-29"),    # leap year
    ("4y", "2020-02-29", "2024-02-29"),
    ("1y", "2020-02-29", "2021-02-28"),
    ("28d", "2026-01-31", "2026-02-28"),
    ("18m", "2023-06-10", "2024-12-10"),
])
def test_span_after_counts_on_the_calendar(span, start, expected):
    assert Span.parse(span).after(day(start)) == day(expected)


@pytest.mark.parametrize(("span", "end", "expected"), [
    ("60d", "2027-01-14", "2026-11-15"),
    ("6m", "2026-08-31", "2026-02-28"),
    ("1y", "2025-03-01", "2024-03-01"),
])
def test_span_before_counts_back_on_the_calendar(span, end, expected):
    assert Span.parse(span).before(day(end)) == day(expected)


@pytest.mark.parametrize("text", ["6 months", "m6", "", "6w", "-2m", "2.5m"])
def test_a_malformed_age_is_refused_with_its_text(text):
    with pytest.raises(AgeFormatError, match="use <n>d, <n>m or <n>y"):
        Span.parse(text)


@pytest.mark.parametrize(("span", "words"), [
    ("0d", "出生时"), ("2m", "2月龄"), ("4y", "4周岁"), ("28d", "出生28天")])
def test_an_age_reads_as_the_document_writes_it(span, words):
    assert Span.parse(span).as_age() == words
