"""Weight, SpO₂ and temperature at home: each line of body_readings.yaml decides as its source
says, the diabetes standard's 危急情况 wins over the hospital's own line, and a file without a
source or a choice is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from followup import FollowUpInputError
from followup.body_readings import assess_body_reading, default_body_rules, load_body_rules
from followup.rules import DATA_DIR, RulesError

HT, DM = ("hypertension",), ("type2_diabetes",)


@pytest.mark.parametrize(("kind", "value", "programmes", "level", "doctor", "band"), [
    # 诊断学（第9版）腋温分度; >39 in diabetes is the standard's 危急情况
    ("temperature", 36.6, HT, "normal", False, None),
    ("temperature", 37.2, HT, "normal", False, None),
    ("temperature", 37.3, HT, "high", False, "fever"),
    ("temperature", 39.0, HT, "high", False, "fever"),
    ("temperature", 39.1, HT, "high", True, "high_fever"),
    ("temperature", 39.1, DM, "urgent", True, "high_fever"),
    ("temperature", 41.0, HT, "urgent", True, "hyperpyrexia"),
    ("temperature", 34.8, HT, "high", True, "low_temperature"),
    # BTS 2017 target 94–98 %; below 90 % as respiratory failure
    ("spo2", 97, HT, "normal", False, None),
    ("spo2", 94, HT, "normal", False, None),
    ("spo2", 93, HT, "high", True, "spo2_low"),
    ("spo2", 89, DM, "urgent", True, "spo2_very_low"),
])
def test_each_line_decides_as_its_source_says(kind, value, programmes, level, doctor, band):
    result = assess_body_reading(kind, value, programmes)
    assert (result.level, result.tell_doctor) == (level, doctor)
    assert (result.bands[0] if result.bands else None) == band
    assert result.advice.title and result.advice.text


def test_a_diabetic_fever_over_39_is_the_standards_emergency_with_120():
    result = assess_body_reading("temperature", 39.5, DM)
    assert [d.rule for d in result.emergencies] == ["high_fever"]
    assert result.advice.title == "请马上就医" and "120" in result.advice.text
    only_ht = assess_body_reading("temperature", 39.5, HT)
    assert only_ht.emergencies == () and "120" not in only_ht.advice.title


@pytest.mark.parametrize(("weight", "height", "highest", "level", "doctor", "bands"), [
    # WS/T 428—2013: 18.5 / 24.0 / 28.0
    (60, 170, None, "normal", False, ()),          # BMI 20.8
    (69.4, 170, None, "high", False, ("overweight",)),  # BMI 24.0
    (81, 170, None, "high", False, ("obese", "overweight")),  # BMI 28.0
    (53, 170, None, "high", False, ("underweight",)),  # BMI 18.3
    (60, None, None, "normal", False, ()),         # no height: no BMI
    # GLIM: more than 5 % lost within six months
    (66, 170, 70, "high", True, ("weight_loss",)),  # 5.7 % down (BMI 22.8)
    (66.5, 170, 70, "normal", False, ()),           # exactly 5.0 %: not more than 5
])
def test_weight_is_judged_by_bmi_and_by_loss(weight, height, highest, level, doctor, bands):
    result = assess_body_reading("weight", weight, HT, height_cm=height,
                                 highest_recent_weight=highest)
    assert (result.level, result.tell_doctor, result.bands) == (level, doctor, bands)


def test_impossible_values_are_refused_with_the_reading_named():
    with pytest.raises(FollowUpInputError, match=r"readings\.spo2: 血氧饱和度"):
        assess_body_reading("spo2", 120, HT)
    with pytest.raises(FollowUpInputError, match=r"readings\.height: 身高"):
        assess_body_reading("weight", 70, HT, height_cm=17)
    with pytest.raises(FollowUpInputError, match="programmes"):
        assess_body_reading("temperature", 37, ())


def test_every_kind_names_its_source_and_the_hospitals_choice():
    rules = default_body_rules()
    assert set(rules.kinds) == {"weight", "spo2", "temperature"}
    assert "WS/T 428" in rules.kinds["weight"].source
    assert "诊断学（第9版" in rules.kinds["temperature"].source
    assert "Thorax 2017" in rules.kinds["spo2"].source
    assert all(kind.chosen for kind in rules.kinds.values())


def test_a_file_without_a_choice_or_with_a_bad_line_is_refused(tmp_path: Path):
    data = yaml.safe_load((DATA_DIR / "body_readings.yaml").read_text(encoding="utf-8"))
    del data["kinds"]["spo2"]["chosen"]
    path = tmp_path / "body_readings.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match=r"kinds\.spo2: needs its source"):
        load_body_rules(path)
    data = yaml.safe_load((DATA_DIR / "body_readings.yaml").read_text(encoding="utf-8"))
    data["kinds"]["weight"]["bands"][0]["when"] = {"measure": "waist", "above": 5}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match=r"bands\.weight_loss"):
        load_body_rules(path)
    data = yaml.safe_load((DATA_DIR / "body_readings.yaml").read_text(encoding="utf-8"))
    del data["advice"]["spo2_low"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="advice: missing"):
        load_body_rules(path)
