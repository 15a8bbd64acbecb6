"""The shipped rules files name their source and hold the standard's figures; a mistyped file is
refused at load with the file and the entry named."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from followup import RulesError, load
from followup.dates import add_interval
from followup.rules import DATA_DIR, RULE_IDS

from .support import DM, HT


@pytest.fixture(scope="module")
def rules():
    return load()


def test_each_programme_names_edition_section_and_effective_date(rules):
    for programme in rules.programmes.values():
        assert programme.edition == "国家基本公共卫生服务规范（第三版）"
        assert "健康管理服务规范" in programme.section and "分类干预" in programme.section
        assert programme.effective == dt.date(2017, 2, 28)
        assert programme.min_followups_per_year == 4
        assert set(programme.rules) == set(RULE_IDS)
    assert "本院" in rules.policy.source


def test_the_routine_interval_keeps_four_follow_ups_a_year(rules):
    for programme in rules.programmes.values():
        routine = programme.rules["routine_followup"].next_followup
        day = dt.date(2026, 1, 1)
        visits = 0
        while day < dt.date(2027, 1, 1):
            visits += 1
            day = add_interval(day, routine)
        assert visits >= programme.min_followups_per_year, programme.id


def test_targets_are_the_standards(rules):
    hypertension, diabetes = rules.programme(HT), rules.programme(DM)
    assert [(t.id, t.min_age) for t in hypertension.targets] == [
        ("bp_target_65_and_over", 65), ("bp_target_general", None)]
    assert hypertension.target_for(64).id == "bp_target_general"
    assert hypertension.target_for(65).id == "bp_target_65_and_over"
    assert diabetes.target_for(90).id == "fasting_glucose_target"
    assert diabetes.control_requires == ("fasting_glucose",)


def test_every_referral_is_checked_within_two_weeks(rules):
    for programme in rules.programmes.values():
        for rule_id, rule in programme.rules.items():
            if rule_id.endswith("_referral"):
                assert (rule.next_followup.months, rule.next_followup.days) == (0, 14), rule_id
                assert "2周内主动随访转诊情况" in rule.says


def test_an_unknown_programme_is_named():
    with pytest.raises(RulesError, match="unknown programme 'copd'"):
        load().programme("copd")


# -- refusals: copy the shipped files, break one entry, expect file + entry in the message ------

def broken(tmp_path: Path, name: str, change) -> Path:
    shutil.copytree(DATA_DIR, tmp_path / "data")
    path = tmp_path / "data" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path / "data"


def _set(mapping, dotted, value):
    *head, last = dotted
    for key in head:
        mapping = mapping[key]
    mapping[last] = value


BREAKS = [
    ("hypertension.yaml", lambda d: d["emergency"][1]["when"]["any_of"].append(
        {"symptom": "toothache"}), "hypertension.yaml emergency[1] hypertension_danger_symptom",
     "unknown symptom 'toothache'"),
    ("hypertension.yaml", lambda d: _set(d, ["emergency", 0, "when", "any_of", 0],
                                         {"reading": "systolic", "at_least": 180, "below": 300}),
     "hypertension.yaml emergency[0] bp_crisis", "exactly one of"),
    ("type2_diabetes.yaml", lambda d: _set(d, ["emergency", 0, "when", "any_of", 0],
                                           {"reading": "fasting_glucose", "at_least": "16.7"}),
     "type2_diabetes.yaml emergency[0] glucose_extreme", "is not a number"),
    ("type2_diabetes.yaml", lambda d: d["rules"].pop("medication_change"),
     "type2_diabetes.yaml rules", "must define exactly"),
    ("hypertension.yaml", lambda d: _set(d, ["rules", "routine_followup", "next_followup"],
                                         {"months": 0}),
     "hypertension.yaml rules.routine_followup.next_followup", "not zero"),
    ("hypertension.yaml", lambda d: _set(d, ["rules", "consecutive_unsatisfactory_referral",
                                             "consecutive"], 3),
     "hypertension.yaml rules.consecutive_unsatisfactory_referral", "连续两次"),
    ("hypertension.yaml", lambda d: d["control"]["targets"].pop(),
     "hypertension.yaml control.targets", "applies to everyone"),
    ("hypertension.yaml", lambda d: d.pop("source"), "hypertension.yaml", "`source`"),
    ("hypertension.yaml", lambda d: _set(d, ["effective"], "soon"), "hypertension.yaml",
     "`effective` must be a date"),
    ("type2_diabetes.yaml", lambda d: _set(d, ["symptoms", "nausea"], "反胃"),
     "type2_diabetes.yaml symptoms.nausea", "in another programme"),
    ("policy.yaml", lambda d: d["classes"].reverse(), "policy.yaml classes", "in this order"),
    ("policy.yaml", lambda d: _set(d, ["readings", "systolic", "min"], 400),
     "policy.yaml readings.systolic", "min < max"),
    ("type2_diabetes.yaml", lambda d: _set(d, ["control", "requires"], ["hba1c"]),
     "type2_diabetes.yaml control.requires", "declared in policy.yaml"),
]


@pytest.mark.parametrize(("name", "change", "where", "why"), BREAKS,
                         ids=[f"{b[2]}: {b[3]}" for b in BREAKS])
def test_a_broken_file_is_refused_naming_file_and_entry(tmp_path, name, change, where, why):
    with pytest.raises(RulesError) as error:
        load(broken(tmp_path, name, change))
    message = str(error.value)
    assert message.startswith(where) and why in message


def test_an_unreadable_file_is_named(tmp_path):
    data = broken(tmp_path, "policy.yaml", lambda d: None)
    (data / "policy.yaml").write_text("classes: [", encoding="utf-8")
    with pytest.raises(RulesError, match=r"^policy\.yaml: cannot read"):
        load(data)
