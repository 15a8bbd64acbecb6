"""Patients read their reports explained, see corrections and critical values, follow a test
over time; nobody else's reports are reachable and every read is audited."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.models import Account, AuditEntry, StaffUser
from backend.services.reports.hl7_inbound import handle
from tests import factories as f
from tests import report_support as rs


def _receive(*names_or_bytes):
    for item in names_or_bytes:
        raw = rs.fixture(item) if isinstance(item, str) else item
        assert rs.msa(handle(raw).strip(b"\x0b\x1c\r"))[0] == "AA"


def _setup(app):
    rs.hospital()
    account = f.account()
    patient = rs.zhang(account)
    return patient, f.bearer(f.account_token(account))


def _list(client, headers, patient):
    response = client.get(f"/api/v1/mp/reports?patient_id={patient.external_id}",
                          headers=headers)
    assert response.status_code == 200, response.json
    return response.json["data"]


def test_the_list_and_a_report_explained(ctx, client):
    patient, headers = _setup(ctx)
    _receive("cbc", "ct_chest")
    listed = _list(client, headers, patient)
    assert [r["title"] for r in listed] == ["胸部CT平扫", "血常规"]
    cbc = listed[1]
    assert cbc["headline"] == "这份报告共9项，其中3项不在参考范围内。"
    assert cbc["advice"] == "下次看病时带给医生看。" and not cbc["critical"]
    detail = client.get(f"/api/v1/mp/reports/{cbc['id']}", headers=headers).json["data"]
    hgb = next(r for r in detail["results"] if r["code"] == "HGB")
    assert (hgb["value"], hgb["flag"], hgb["flag_words"], hgb["reference"]) == \
        ("118", "L", "偏低", "130-175")
    assert "贫血" in hgb["text"] and "化验室提供" in hgb["basis"] and hgb["source"]
    ct = client.get(f"/api/v1/mp/reports/{listed[0]['id']}", headers=headers).json["data"]
    assert ct["kind"] == "imaging" and ct["results"] == []
    first = ct["imaging"][0]
    assert first["sentence"].startswith("右肺上叶磨玻璃结节")
    assert first["items"][0]["words"] == "Lung-RADS 3类"
    actions = db.session.execute(select(AuditEntry.action).where(
        AuditEntry.action.like("report.%")).order_by(AuditEntry.seq)).scalars().all()
    assert actions[-3:] == ["report.list", "report.read", "report.read"]


def test_a_correction_is_marked_with_the_old_value(ctx, client):
    patient, headers = _setup(ctx)
    corrected = rs.edited("cbc", ("|LIS0001|", "|LIS0001C|"), ("||118|g/L|", "||128|g/L|"),
                          ("||20261201083000||LAB|F", "||20261201100000||LAB|C"))
    _receive("cbc", corrected)
    [report] = _list(client, headers, patient)
    assert report["corrected"] and report["notice"] == "报告已更正"
    assert report["headline"].startswith("报告已更正。")
    detail = client.get(f"/api/v1/mp/reports/{report['id']}", headers=headers).json["data"]
    hgb = next(r for r in detail["results"] if r["code"] == "HGB")
    assert (hgb["value"], hgb["corrected_from"]) == ("128", "118")
    assert next(r for r in detail["results"] if r["code"] == "WBC")["corrected_from"] is None


def test_a_critical_value_shows_the_banner(ctx, client):
    patient, headers = _setup(ctx)
    _receive("electrolytes_critical")
    [report] = _list(client, headers, patient)
    assert report["critical"] and report["level"] == "critical"
    assert "请尽快与医院联系或到急诊科就诊" in report["notice"]
    detail = client.get(f"/api/v1/mp/reports/{report['id']}", headers=headers).json["data"]
    assert next(r for r in detail["results"] if r["code"] == "K")["critical"]


def test_confidential_results_are_collected_in_person(ctx, client):
    patient, headers = _setup(ctx)
    _receive("hiv_confidential")
    [report] = _list(client, headers, patient)
    assert report["collect_in_person"] and "本人带身份证到医院领取" in report["headline"]
    detail = client.get(f"/api/v1/mp/reports/{report['id']}", headers=headers).json["data"]
    assert detail["results"] == [] and detail["conclusion"] is None


def test_a_preliminary_report_is_not_shown(ctx, client):
    patient, headers = _setup(ctx)
    _receive(rs.edited("cbc", ("||20261201083000||LAB|F", "||20261201083000||LAB|P")))
    assert _list(client, headers, patient) == []


def test_a_trend_across_reports_in_the_tests_own_unit(ctx, client):
    patient, headers = _setup(ctx)
    later = rs.edited("cbc",
                      ("|LIS0001|", "|LIS0021|"), ("|L20261201001|", "|L20261215001|"),
                      ("|20261201071500|", "|20261215071500|"), ("||118|g/L|", "||12.9|g/dL|"),
                      ("|130-175|L|", "|13-17.5||"))
    _receive("cbc", later)
    response = client.get(f"/api/v1/mp/reports/trend?patient_id={patient.external_id}"
                          "&test_code=HGB", headers=headers)
    assert response.status_code == 200, response.json
    trend = response.json["data"]
    assert [p["value"] for p in trend["points"]] == [118.0, 129.0]
    assert (trend["unit"], trend["band_low"], trend["band_high"]) == ("g/L", 130.0, 175.0)
    assert trend["direction"] == "stable" and trend["words"] == "最近几次结果变化不大。"


def test_another_account_reaches_none_of_it(ctx, client):
    patient, _ = _setup(ctx)
    _receive("cbc")
    stranger = f.account()
    f.profile(stranger)
    headers = f.bearer(f.account_token(stranger))
    owner_headers = f.bearer(f.account_token(db.session.get(Account, patient.account_id)))
    [report] = _list(client, owner_headers, patient)
    for url in (f"/api/v1/mp/reports?patient_id={patient.external_id}",
                f"/api/v1/mp/reports/{report['id']}",
                f"/api/v1/mp/reports/trend?patient_id={patient.external_id}&test_code=HGB"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, (url, response.status_code)
        assert "张伟" not in response.get_data(as_text=True)
    staff = db.session.execute(select(StaffUser)).scalars().first()
    assert client.get(f"/api/v1/mp/reports/{report['id']}",
                      headers=f.bearer(f.staff_token(staff))).status_code == 403


def test_the_signed_family_doctor_reads_them_and_it_is_audited(ctx, client):
    patient, _ = _setup(ctx)
    _receive("cbc")
    clinic = f.organization()
    doctor, stranger = f.staff(clinic), f.staff(clinic)
    f.sign(doctor, patient)
    headers = f.bearer(f.staff_token(doctor))
    listed = client.get(f"/api/v1/admin/residents/{patient.external_id}/reports",
                        headers=headers)
    assert listed.status_code == 200 and [r["title"] for r in listed.json["data"]] == ["血常规"]
    report_id = listed.json["data"][0]["id"]
    detail = client.get(f"/api/v1/admin/reports/{report_id}", headers=headers).json["data"]
    assert any(r["code"] == "HGB" for r in detail["results"])
    reader = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "report.read").order_by(AuditEntry.seq.desc())).scalars().first()
    assert (reader.actor_kind, reader.actor_id) == ("staff", str(doctor.external_id))
    other = f.bearer(f.staff_token(stranger))
    assert client.get(f"/api/v1/admin/reports/{report_id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/admin/residents/{patient.external_id}/reports",
                      headers=other).status_code == 404
