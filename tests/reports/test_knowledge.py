"""The data files: enough tests, every row sourced, names that find one test each."""

from __future__ import annotations

import pytest

from reports.knowledge import KnowledgeError, default_knowledge, normalise_name


def test_at_least_150_tests_each_with_words_and_a_source():
    knowledge = default_knowledge()
    assert len(knowledge.tests) >= 150
    for test in knowledge.tests.values():
        assert test.measures and test.source, test.code
        if test.qualitative:
            assert test.positive and test.negative, test.code
        else:
            assert test.high and test.low, test.code


def test_every_interval_and_critical_row_names_its_standard():
    knowledge = default_knowledge()
    rows = [b for bands in knowledge.intervals.values() for b in bands]
    rows += [b for bands in knowledge.critical.values() for b in bands]
    assert rows
    assert all(("WS/T" in b.source or "指南" in b.source or "共识" in b.source) for b in rows)


def test_a_name_or_code_finds_one_test_whichever_spelling_the_lab_uses():
    knowledge = default_knowledge()
    assert knowledge.find("GPT").code == "ALT"
    assert knowledge.find("", "谷丙转氨酶").code == "ALT"
    assert knowledge.find("ＡＬＴ").code == "ALT"
    assert knowledge.find("x", "", loinc="718-7").code == "HGB"
    assert knowledge.find("L0001", "血红蛋白浓度").code == "HGB"
    assert knowledge.find("ZZZ", "不存在的项目") is None


def test_no_name_is_claimed_by_two_tests():
    seen: dict[str, str] = {}
    clashes = []
    for test in default_knowledge().tests.values():
        for name in {normalise_name(n) for n in (test.code, *test.names)}:
            if name in seen and seen[name] != test.code:
                clashes.append((name, seen[name], test.code))
            seen[name] = test.code
    assert clashes == []


def test_a_hospital_table_replaces_the_defaults_of_the_tests_it_names():
    knowledge = default_knowledge().with_critical_values([
        {"test": "K", "age": ["0d", "130y"], "low": 3.0, "high": 6.0, "source": "本院危急值表"}])
    assert knowledge.critical["K"][0].low == 3.0
    assert knowledge.critical["NA"] == default_knowledge().critical["NA"]
    with pytest.raises(KnowledgeError):
        default_knowledge().with_critical_values([
            {"test": "NOPE", "age": ["0d", "1y"], "high": 1, "source": "x"}])
