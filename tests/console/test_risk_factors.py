"""Cardiovascular risk inputs in the console and the portrait's 10-year risk line: the family
doctor's form (CSRF, role, audit, dated entries with their source), the resident's own waist and
smoking from the mini-program, and the line with no vetted coefficients, with the synthetic
test set (tests/fixtures/china_par_synthetic.yaml), and for a resident with known ASCVD."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    AuditEntry,
    FollowUpOutcome,
    FollowUpRecord,
    HealthPortrait,
    Organization,
    RiskFactorEntry,
)
from backend.services.portraits.cvd_facts import region_of
from tests import factories as f
from tests import followup_support as fs
from tests import report_support as rs
from tests.console.console_support import csrf_token, login, receive

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in China
SYNTHETIC = Path(__file__).parents[1] / "fixtures" / "china_par_synthetic.yaml"
ALL_FIVE = {"waist_cm": "92", "current_smoker": "no", "family_history_ascvd": "late",
            "residence": "urban", "ascvd_history": "no"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx, app, tmp_path, monkeypatch):
    """张伟, 73, with lipids from the hospital, in the hypertension programme on medication at a
    Beijing community centre (north), seen at a clinic visit with SBP 150; no coefficient file."""
    monkeypatch.setitem(app.config, "CHINA_PAR_COEFFICIENTS", str(tmp_path / "absent.yaml"))
    rs.hospital()
    account = f.account()
    patient = rs.zhang(account)
    receive("lipids_glucose")
    centre = f.organization("CHC27")
    centre.province = "11"
    doctor = f.staff(centre, username="doctor.wu")
    f.sign(doctor, patient)
    person = fs.resident(centre, name="张伟", birth=date(1953, 1, 15))
    person.patient_id = patient.id
    fs.enrol(person, doctor, enrolled_on=date(2026, 3, 1), next_due_on=date(2027, 2, 1),
             plan={"medications": [{"name": "氨氯地平", "dose": "5mg", "times": ["07:30"]}]})
    db.session.add(FollowUpRecord(
        resident_id=person.id, doctor_id=doctor.id, visited_on=date(2026, 11, 20),
        method="clinic", age=73, readings={"systolic": 150, "diastolic": 88},
        adherence="regular", next_followup_on=date(2027, 2, 20), next_followup_rule="routine"))
    db.session.commit()
    return {"patient": patient, "account": account, "person": person, "doctor": doctor,
            "centre": centre}


def _url(world) -> str:
    return f"/console/followup/residents/{world['person'].external_id}/risk-factors"


def _save(client, world, **fields):
    token = csrf_token(client.get(_url(world)).get_data(as_text=True))
    return client.post(_url(world), data={"csrf_token": token, "observed_on": "2026-12-04",
                                          **fields})


def _portrait_line(client, world) -> dict:
    page = client.get(f"/console/residents/{world['patient'].external_id}")
    client.post(f"/console/residents/{world['patient'].external_id}/portrait",
                data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    portrait = db.session.execute(select(HealthPortrait).order_by(
        HealthPortrait.version.desc())).scalars().first()
    return next(s for s in portrait.statements if s["key"] == "risk:china_par")


def _actions() -> list[str]:
    return [e.action for e in db.session.execute(select(AuditEntry)).scalars()]


def test_the_doctor_records_the_inputs_each_dated_with_its_source_and_audited(world, client):
    login(client, "doctor.wu")
    form = client.get(_url(world))
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "腰围" in html and "北方" in html
    assert "risk_factors.viewed" in _actions()
    saved = _save(client, world, **ALL_FIVE)
    assert saved.status_code == 200 and "已保存" in saved.get_data(as_text=True)
    rows = db.session.execute(select(RiskFactorEntry).order_by(RiskFactorEntry.factor)).scalars()
    assert {(r.factor, r.value, r.observed_on, r.source, r.staff_id) for r in rows} == {
        (name, value, date(2026, 12, 4), "doctor", world["doctor"].id)
        for name, value in ALL_FIVE.items()}
    entry = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "risk_factors.recorded")).scalar_one()
    assert entry.subject_id == str(world["person"].external_id)
    assert entry.detail["factors"] == sorted(ALL_FIVE) and entry.detail["source"] == "doctor"
    # a later answer is a new entry; the old one stays as history
    _save(client, world, waist_cm="95.5")
    waists = db.session.execute(select(RiskFactorEntry.value).where(
        RiskFactorEntry.factor == "waist_cm")).scalars().all()
    assert sorted(waists) == ["92", "95.5"]


def test_a_form_without_its_csrf_token_changes_nothing(world, client):
    login(client, "doctor.wu")
    refused = client.post(_url(world), data={"observed_on": "2026-12-04", **ALL_FIVE})
    assert refused.status_code == 400 and "操作没有执行" in refused.get_data(as_text=True)
    assert db.session.execute(select(RiskFactorEntry)).first() is None


@pytest.mark.parametrize("fields, words", [
    ({"waist_cm": "20"}, "腰围应在40～200cm之间"),
    ({"waist_cm": "九十"}, "腰围请填写数字"),
    ({"current_smoker": "sometimes"}, "请选择现在吸烟"),
    ({"waist_cm": "90", "observed_on": "2026-12-06"}, "日期应在今天"),
    ({}, "请至少填写一项"),
])
def test_a_wrong_answer_is_refused_plainly_and_nothing_is_half_saved(world, client, fields,
                                                                     words):
    login(client, "doctor.wu")
    answer = _save(client, world, residence="urban", **fields) if fields else _save(client, world)
    assert answer.status_code == 422 and words in answer.get_data(as_text=True)
    assert db.session.execute(select(RiskFactorEntry)).first() is None


def test_other_roles_and_other_doctors_residents_are_refused(world, client):
    f.staff(world["centre"], role="hospital_admin", username="admin.wu")
    login(client, "admin.wu")
    assert client.get(_url(world)).status_code == 403
    f.staff(f.organization("CHC99"), username="doctor.other")
    login(client, "doctor.other")
    assert client.get(_url(world)).status_code == 404


def test_without_vetted_coefficients_the_portrait_says_not_yet_and_lists_the_inputs(world,
                                                                                     client):
    login(client, "doctor.wu")
    line = _portrait_line(client, world)
    assert line["text"].startswith("10年心血管病风险：尚未计算（风险方程的系数待医务部确认）。")
    assert "已有：年龄、收缩压（随访测量）、是否服降压药、总胆固醇、高密度脂蛋白胆固醇、糖尿病、" \
           "南北方（按机构所在省份）" in line["text"]
    assert "还缺：腰围、现在吸烟、城乡、心血管病家族史" in line["text"]
    assert "%" not in line["text"]
    labels = [e["label"] for e in line["evidence"]]
    assert "随访测量收缩压 150mmHg" in labels and "管理计划中有降压药" in labels
    assert any(label.endswith("总胆固醇 5.86mmol/L") for label in labels)
    _save(client, world, **ALL_FIVE)
    line = _portrait_line(client, world)
    assert "资料已齐" in line["text"] and "%" not in line["text"]
    assert "腰围：92cm（医生登记）" in [e["label"] for e in line["evidence"]]


def test_with_the_synthetic_test_set_the_portrait_gives_the_hand_computed_risk(
        world, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CHINA_PAR_COEFFICIENTS", str(SYNTHETIC))
    login(client, "doctor.wu")
    _save(client, world, **ALL_FIVE)
    # Man, 73, SBP 150 treated, TC 5.86, HDL-C 1.02, waist 92, non-smoker, no diabetes, north,
    # urban, family history (any): 2.0×ln73 8.580919 + 1.2×ln150 6.012762 + 0.5×ln5.86
    # 0.884075 − 0.5×ln1.02 0.009901 + 0.2×ln92 0.904358 + 0.2 + 0.1 + 0.2 = 16.872212;
    # exp(3.872212) = 48.0486; 1 − 0.95^48.0486 = 0.91495 → 91.5 %, high.
    line = _portrait_line(client, world)
    assert line["text"].startswith("10年心血管病风险（China-PAR）：91.5%，属高危（≥10%）。")
    assert "SYNTHETIC TEST SET" in line["text"] and line["rule"] == "china_par_computed"
    assert "按未服降压药计" not in line["text"]
    assert "未纳入2型糖尿病管理，按无糖尿病计" in line["text"]
    # without a waist the same file gives no number
    db.session.execute(RiskFactorEntry.__table__.delete().where(
        RiskFactorEntry.factor == "waist_cm"))
    db.session.commit()
    line = _portrait_line(client, world)
    assert line["text"] == "10年心血管病风险：尚未计算，还缺：腰围。"


def test_known_ascvd_means_no_ten_year_risk(world, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CHINA_PAR_COEFFICIENTS", str(SYNTHETIC))
    login(client, "doctor.wu")
    _save(client, world, **{**ALL_FIVE, "ascvd_history": "yes"})
    line = _portrait_line(client, world)
    assert line["rule"] == "china_par_known_ascvd" and "%" not in line["text"]
    assert line["evidence"][0]["label"] == "本人既往动脉粥样硬化性心血管病：有（医生登记）"


def test_a_stroke_recorded_at_a_follow_up_visit_also_means_no_ten_year_risk(world, client):
    record = db.session.execute(select(FollowUpRecord)).scalar_one()
    enrolment = world["person"].enrolments[0]
    db.session.add(FollowUpOutcome(
        record_id=record.id, enrolment_id=enrolment.id, programme="hypertension",
        visited_on=record.visited_on, follow_up_class="complication", class_name="并发症",
        control_satisfied=False, adverse_reaction=False, complications=["stroke"],
        decisions=[], emergencies=[], next_followup_on=date(2026, 12, 4),
        next_followup_rule="complication_referral", source="test"))
    db.session.commit()
    login(client, "doctor.wu")
    line = _portrait_line(client, world)
    assert line["rule"] == "china_par_known_ascvd"
    assert line["evidence"] == [{"kind": "followup", "id": str(record.external_id),
                                 "date": "2026-11-20", "label": "随访记录的并发症：脑卒中"}]


def test_the_resident_reports_waist_and_smoking_but_not_family_history(world, client):
    headers = f.bearer(f.account_token(world["account"]))
    body = {"patient_id": str(world["patient"].external_id), "waist_cm": 88.5,
            "current_smoker": "yes"}
    saved = client.post("/api/v1/mp/followup/risk-factors", json=body, headers=headers)
    assert saved.status_code == 201, saved.json
    rows = db.session.execute(select(RiskFactorEntry)).scalars().all()
    assert {(r.factor, r.value, r.source, r.account_id, r.observed_on) for r in rows} == {
        ("waist_cm", "88.5", "resident", world["account"].id, date(2026, 12, 5)),
        ("current_smoker", "yes", "resident", world["account"].id, date(2026, 12, 5))}
    shown = client.get(f"/api/v1/mp/followup/risk-factors?patient_id={body['patient_id']}",
                       headers=headers)
    assert {e["factor"] for e in shown.json["data"]["entries"]} == {"waist_cm", "current_smoker"}
    wrong = client.post("/api/v1/mp/followup/risk-factors",
                        json={**body, "waist_cm": 300}, headers=headers)
    assert wrong.status_code == 422 and "腰围应在40～200cm之间" in wrong.json["error"]["message"]
    family = client.post("/api/v1/mp/followup/risk-factors",
                         json={**body, "family_history_ascvd": "none"}, headers=headers)
    assert family.status_code == 422  # the family doctor asks about family history
    stranger = f.bearer(f.account_token(f.account()))
    assert client.post("/api/v1/mp/followup/risk-factors", json=body,
                       headers=stranger).status_code == 404
    assert _actions().count("risk_factors.recorded") == 1


def test_north_and_south_follow_the_province_and_a_crossed_province_needs_the_centres_own():
    assert region_of(Organization(province="11")) == "north"
    assert region_of(Organization(province="44")) == "south"
    assert region_of(Organization(province="32")) is None  # 江苏: the Yangtze crosses it
    assert region_of(Organization(province="32", cvd_region="south")) == "south"
    assert region_of(Organization(province=None)) is None


def test_the_centres_location_is_set_from_the_command_line_and_audited(ctx, app):
    centre = f.organization("CHC28")
    run = CliRunner().invoke
    crossed = run(app.cli, ["organizations", "set-location", "CHC28", "--province", "32"])
    assert crossed.exit_code != 0 and "say --region north or south" in crossed.output
    wholly = run(app.cli, ["organizations", "set-location", "CHC28", "--province", "44",
                           "--region", "north"])
    assert wholly.exit_code != 0 and "leave out --region" in wholly.output
    done = run(app.cli, ["organizations", "set-location", "CHC28", "--province", "32",
                         "--region", "south"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    centre = db.session.get(Organization, centre.id)
    assert (centre.province, centre.cvd_region, region_of(centre)) == ("32", "south", "south")
    assert "organization.located" in _actions()
