"""The shipped schedule files: complete, sourced, and a broken edit is refused with its place."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from vaccination import ScheduleError, load_programme, programme
from vaccination.schedule import DATA_DIR

PROGRAMME_VACCINES = {"HepB", "BCG", "IPV", "bOPV", "DTaP", "DT", "MMR", "JE-L", "JE-I",
                      "MPSV-A", "MPSV-AC", "HepA-L", "HepA-I"}


def test_every_programme_vaccine_is_in_a_course_and_every_course_cites_its_section():
    schedule = programme()
    assert {c for c, v in schedule.vaccines.items() if v.programme} == PROGRAMME_VACCINES
    for code in PROGRAMME_VACCINES:
        assert schedule.series_of(code), code
    for series in schedule.series.values():
        for version in series.versions:
            assert version.section and version.catch_up and version.edition.title
            assert all(dose.rule for dose in version.doses)
    assert "2021年版" in schedule.source and "2025" in schedule.source


def test_live_injectable_vaccines_are_the_ones_the_28_day_rule_is_about():
    live = {c for c, v in programme().vaccines.items() if v.live_injectable}
    assert live == {"BCG", "MMR", "JE-L", "HepA-L", "VAR"}  # bOPV and RV are oral


def test_the_2025_dtap_notice_is_a_version_from_1_january_2025():
    dtap = programme().series["dtap"]
    old, new = dtap.versions
    assert new.edition.effective == date(2025, 1, 1)
    assert [str(d.age) for d in old.doses] == ["3个月", "4个月", "5个月", "18个月", "6年"]
    assert [str(d.age) for d in new.doses] == ["2个月", "4个月", "6个月", "18个月", "6年"]
    assert old.doses[4].vaccines == ("DT",) and new.doses[4].vaccines == ("DTaP",)
    assert dtap.version_on(date(2024, 12, 31)) is old
    assert dtap.version_on(date(2025, 1, 1)) is new


def test_non_programme_vaccines_are_information_only():
    others = [v for v in programme().vaccines.values() if not v.programme]
    assert len(others) >= 5
    assert all(v.ages and v.doses for v in others)
    for series in programme().series.values():
        for version in series.versions:
            for dose in version.doses:
                assert all(programme().vaccines[c].programme for c in dose.vaccines)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in ("programme.yaml", "non_programme.yaml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def edit(directory: Path, change) -> None:
    path = directory / "programme.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _dose(data, series, number, version=0):
    return data["series"][series]["versions"][version]["doses"][number - 1]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("source"), "programme.yaml: must be a mapping that names its `source`"),
    (lambda d: _dose(d, "hepb", 2).update(vaccines=["HepX"]),
     "series.hepb (nip-2021) dose 2: unknown programme vaccine 'HepX'"),
    (lambda d: _dose(d, "mmr", 1).update(vaccines=["VAR"]),
     "series.mmr (nip-2021) dose 1: unknown programme vaccine 'VAR'"),
    (lambda d: _dose(d, "mmr", 2).update(age="18 months"), "bad age or interval '18 months'"),
    (lambda d: _dose(d, "mmr", 2).update(dose=3), "doses must be numbered 1, 2, …"),
    (lambda d: _dose(d, "mmr", 1).update(complete_by="6m"), "`complete_by` must be later"),
    (lambda d: _dose(d, "mmr", 1).update(min_interval="28d"), "the first dose has no"),
    (lambda d: _dose(d, "mmr", 2).update(age="6m"), "dose 2 is younger than dose 1"),
    (lambda d: _dose(d, "mmr", 2).pop("rule"), "needs a non-empty `rule`"),
    (lambda d: d["series"]["dtap"]["versions"][1]["doses"].pop(), "same number of doses"),
    (lambda d: d["series"]["dtap"]["versions"].reverse(), "versions must be oldest first"),
    (lambda d: d["series"]["dtap"]["versions"][1].update(edition="nip-2030"),
     "unknown edition 'nip-2030'"),
    (lambda d: d["series"]["je_inactivated"].update(default=True), "alternative je"),
    (lambda d: _dose(d, "mpsv_ac", 1)["also_after"][0].update(series="mpsv_x"),
     "`also_after` must name a dose of this or an earlier series"),
    (lambda d: d["editions"]["dtap-2025"].update(effective="from 2025"),
     "editions.dtap-2025: needs a title and an `effective` date"),
    (lambda d: d["vaccines"]["MMR"].update(live="yes"), "vaccines.MMR: `live` must be true"),
    (lambda d: d["vaccines"]["bOPV"].update(route="nasal"), "vaccines.bOPV: `route` must be"),
    (lambda d: d["general_rules"].update(live_spacing_days=0), "`live_spacing_days` must be > 0"),
])
def test_a_broken_edit_is_refused_naming_the_file_and_entry(data_copy, change, message):
    edit(data_copy, change)
    with pytest.raises(ScheduleError) as error:
        load_programme(data_copy)
    assert message in str(error.value)


def test_a_non_programme_code_may_not_shadow_a_programme_one(data_copy):
    path = data_copy / "non_programme.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["vaccines"]["MMR"] = dict(data["vaccines"]["VAR"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"non_programme.yaml: codes already in"):
        load_programme(data_copy)


def test_unreadable_yaml_is_reported_with_the_file_name(data_copy):
    (data_copy / "programme.yaml").write_text("series: [unclosed", encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"programme.yaml: cannot read"):
        load_programme(data_copy)
