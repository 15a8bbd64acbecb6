"""The portrait's rules on their own: what is a problem, a gap, an action; no statement without
evidence; an elderly resident without a result this year has a gap."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backend.services.portraits import rules


def _result(code, value, level, flag_words, when=datetime(2026, 11, 1, tzinfo=UTC)):
    return rules.Result("r1", "血糖", when, code, {"GLU": "空腹血糖"}.get(code, code), value,
                        float(value), "mmol/L", flag_words, level)


def _no_trend(code, series):
    return ""


def test_no_results_for_a_year_is_a_gap_for_the_elderly_only():
    old = rules.Held("p1", 70, date(1956, 1, 1), date(2026, 12, 5))
    keys = [s["key"] for s in rules.build(old, _no_trend)]
    assert keys == ["risk:age", "gap:annual", "action:gap:annual"]
    young = rules.Held("p2", 40, date(1986, 1, 1), date(2026, 12, 5))
    assert rules.build(young, _no_trend) == []


def test_a_raised_glucose_without_hba1c_and_with_it():
    held = rules.Held("p1", 50, date(1976, 1, 1), date(2026, 12, 5),
                      [_result("GLU", "7.2", "mild", "偏高")])
    keys = {s["key"] for s in rules.build(held, _no_trend)}
    assert {"problem:GLU", "risk:GLU", "gap:hba1c", "action:gap:hba1c"} <= keys
    held.results.append(_result("HBA1C", "6.1", "mild", "偏高"))
    assert "gap:hba1c" not in {s["key"] for s in rules.build(held, _no_trend)}


def test_a_statement_without_evidence_is_not_shown():
    kept = {"key": "a", "evidence": [{"id": "r1", "date": "2026-12-01", "label": "x"}]}
    bare = {"key": "b", "evidence": []}
    undated = {"key": "c", "evidence": [{"id": "r1", "date": "", "label": "x"}]}
    assert rules.with_evidence([kept, bare, undated]) == [kept]
