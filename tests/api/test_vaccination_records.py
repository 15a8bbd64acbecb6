"""A child's vaccination record: imported from the immunisation system, entered at the clinic,
read by the parent with what is due — and nobody else's child."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import AuditEntry, VaccinationDue, VaccinationRecord
from tests import factories as f
from tests.vaccination_support import clinic, csv_file, family, give

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in the clinic


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _records() -> int:
    return db.session.execute(select(func.count()).select_from(VaccinationRecord)).scalar_one()


def _import(client, at, text, name="iis.csv"):
    return client.post("/api/v1/admin/vaccination/imports", headers=at.headers,
                       json={"filename": name, "content": text})


def test_an_imported_record_shows_the_parent_what_is_due(client, ctx):
    kid, at = family(), clinic()
    text = csv_file((kid.document_number, "2026-06-01", "乙肝疫苗", 1, "2026-06-01", "B1"),
                    (kid.document_number, "2026-06-01", "BCG", 1, "2026-06-02", ""),
                    (kid.document_number, "2026-06-01", "HepB", 2, "2026-07-01", ""))
    done = _import(client, at, text)
    assert done.status_code == 201, done.json
    assert done.json["data"] | {"id": None} == {
        "id": None, "rows": 3, "added": 3, "already_known": 0, "children": 1,
        "not_registered": 0, "not_registered_lines": []}
    seen = client.get(f"/api/v1/mp/children/{kid.child_id}/vaccination", headers=kid.headers)
    assert seen.status_code == 200
    data = seen.json["data"]
    assert [r["vaccine_name"] for r in data["records"]] == ["乙肝疫苗", "卡介苗", "乙肝疫苗"]
    due = [(d["series_name"], d["dose"]) for d in data["assessment"]["doses"]
           if d["state"] == "due"]
    # No polio or DTaP at 2-4 months: both due now (catch-up), still before their deadline.
    assert due == [("脊灰疫苗", 1), ("百白破疫苗", 1), ("乙肝疫苗", 3), ("A群流脑多糖疫苗", 1)]
    hepb3 = next(d for d in data["assessment"]["doses"]
                 if d["series"] == "hepb" and d["dose"] == 3)
    assert hepb3["state"] == "due" and hepb3["earliest"] == "2026-12-01"
    assert "2021" in hepb3["citation"]
    assert data["non_programme"] and "自愿自费" in data["non_programme_note"]


def test_importing_the_same_file_again_adds_nothing(client, ctx):
    kid, at = family(), clinic()
    text = csv_file((kid.document_number, "20260601", "HepB", 1, "20260601", ""))
    assert _import(client, at, text).json["data"]["added"] == 1
    again = _import(client, at, text).json["data"]
    assert (again["added"], again["already_known"]) == (0, 1)
    assert _records() == 1


def test_a_dose_listed_twice_in_one_file_is_recorded_once(client, ctx):
    kid, at = family(), clinic()
    line = (kid.document_number, "2026-06-01", "HepB", 1, "2026-06-01", "")
    data = _import(client, at, csv_file(line, line)).json["data"]
    assert (data["rows"], data["added"], data["already_known"]) == (2, 1, 1)
    assert _records() == 1


def test_a_file_with_bad_lines_is_refused_whole_with_each_line_and_reason(client, ctx):
    kid, at = family(), clinic()
    text = csv_file((kid.document_number, "2026-06-01", "HepB", 1, "2026-06-01", ""),
                    (kid.document_number, "2026-06-01", "感冒疫苗", 1, "2026-06-01", ""),
                    (kid.document_number, "2026-06-01", "HepB", 0, "2026-13-01", ""),
                    ("110105201906010000", "2019-06-01", "HepB", 1, "2019-06-01", ""))
    refused = _import(client, at, text)
    assert refused.status_code == 422
    error = refused.json["error"]
    assert error["code"] == "import_refused" and "整份文件未导入" in error["message"]
    assert error["fields"] == {"第3行": ["不认识的疫苗“感冒疫苗”"],
                               "第4行": ["剂次“0”应为1到9", "接种日期“2026-13-01”不是有效日期"],
                               "第5行": ["身份证号不正确"]}
    assert _records() == 0


def test_a_file_with_the_wrong_columns_says_which(client, ctx):
    at = clinic()
    refused = _import(client, at, "身份证号,疫苗,剂次\n")
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"表头": ["缺少列：出生日期、接种日期"]}


def test_children_who_are_not_registered_are_counted_not_refused(client, ctx):
    kid, at = family(), clinic()
    stranger = f.resident_id(datetime(2025, 1, 1).date())
    text = csv_file((kid.document_number, "2026-06-01", "HepB", 1, "2026-06-01", ""),
                    (stranger, "2025-01-01", "HepB", 1, "2025-01-01", ""))
    data = _import(client, at, text).json["data"]
    assert (data["added"], data["not_registered"], data["not_registered_lines"]) == (1, 1, [3])


def test_a_birth_date_that_disagrees_with_ours_refuses_the_file(client, ctx):
    kid, at = family(), clinic()
    kid.child.birth_date = kid.child.birth_date + timedelta(days=1)  # registered wrongly
    db.session.commit()
    text = csv_file((kid.document_number, "2026-06-01", "HepB", 1, "2026-06-01", ""))
    refused = _import(client, at, text)
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"第2行": ["出生日期与我们登记的不一致，请核对"]}


def test_the_clinic_records_a_dose_and_observation_starts(client, ctx):
    kid, at = family(), clinic()
    given = give(client, at, kid, "DTaP", 1, lot_number="202611A", site="左上臂")
    assert given.status_code == 201, given.json
    record = given.json["data"]
    assert record["source"] == "clinic" and record["given_on"] == "2026-12-05"
    assert record["observe_until"] == "2026-12-05T02:30:00+00:00"
    kinds = sorted(db.session.execute(select(VaccinationDue.kind)).scalars())
    assert kinds == ["after_care", "observation", "schedule"]
    twice = give(client, at, kid, "DTaP", 1)
    assert twice.status_code == 409 and twice.json["error"]["code"] == "dose_already_recorded"
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert "vaccination.record" in actions
    # Having given a dose here, the clinic now sees the child without the ID number.
    seen = client.get(f"/api/v1/admin/vaccination/children/{kid.child_id}", headers=at.headers)
    assert seen.status_code == 200 and seen.json["data"]["records"][0]["vaccine"] == "DTaP"


def test_a_dose_in_the_future_or_of_an_unknown_vaccine_is_refused(client, ctx):
    kid, at = family(), clinic()
    assert give(client, at, kid, "DTaP", 1, "2026-12-06").json["error"]["field"] == "given_on"
    assert give(client, at, kid, "XYZ", 1).json["error"]["field"] == "vaccine"
    assert _records() == 0


def test_a_walk_in_child_is_found_by_the_id_number(client, ctx):
    kid, at = family(), clinic()
    found = client.post("/api/v1/admin/vaccination/children/lookup", headers=at.headers,
                        json={"document_number": kid.document_number})
    assert found.status_code == 200 and found.json["data"]["id"] == kid.child_id
    unknown = client.post("/api/v1/admin/vaccination/children/lookup", headers=at.headers,
                          json={"document_number": f.resident_id()})
    assert unknown.status_code == 404


def test_another_account_or_another_clinic_cannot_see_the_child(client, ctx):
    kid, other, at = family(), family(name="小红"), clinic()
    give(client, at, kid, "DTaP", 1)
    url = f"/api/v1/mp/children/{kid.child_id}/vaccination"
    assert client.get(url, headers=other.headers).status_code == 404
    elsewhere = clinic()
    admin_url = f"/api/v1/admin/vaccination/children/{kid.child_id}"
    assert client.get(admin_url, headers=elsewhere.headers).status_code == 404
    assert give(client, elsewhere, kid, "DTaP", 2, document_number=None).status_code == 404


def test_only_clinic_roles_record_doses(client, ctx):
    kid = family()
    doctor = clinic(role="family_doctor")
    assert give(client, doctor, kid, "DTaP", 1).status_code == 403
    assert client.get(f"/api/v1/admin/vaccination/children/{kid.child_id}",
                      headers=kid.headers).status_code == 403
