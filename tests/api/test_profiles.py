"""就诊人: add with real-name checks, list, change, remove — identifiers always masked."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories as f


@pytest.fixture()
def patient(ctx):
    acct = f.account()
    return acct, f.bearer(f.account_token(acct))


def add(client, headers, **body):
    payload = {"relationship": "self", "name": "王秀英",
               "document_number": f.resident_id(date(1956, 3, 12), male=False)}
    payload.update(body)
    return client.post("/api/v1/mp/profiles", json=payload, headers=headers)


def test_adding_a_profile_derives_sex_and_birth_date_and_masks_identifiers(client, patient):
    _, headers = patient
    number = f.resident_id(date(1956, 3, 12), male=False)
    response = add(client, headers, document_number=number.lower(), phone="+86 138-0013-8000")
    assert response.status_code == 201, response.json
    data = response.json["data"]
    assert data["sex"] == "female"
    assert data["birth_date"] == "1956-03-12"
    assert data["document_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    assert data["phone_masked"] == "138****8000"
    assert number not in response.get_data(as_text=True)
    listed = client.get("/api/v1/mp/profiles", headers=headers).json["data"]
    assert [p["id"] for p in listed] == [data["id"]]


def test_a_wrong_checksum_is_refused_on_the_field_in_chinese(client, patient):
    _, headers = patient
    number = f.resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = add(client, headers, document_number=wrong)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == "document_number"
    assert "身份证" in error["message"]


def test_sex_contradicting_the_id_number_is_refused(client, patient):
    _, headers = patient
    response = add(client, headers, document_number=f.resident_id(male=True), sex="female")
    assert response.status_code == 422
    assert response.json["error"]["field"] == "sex"


def test_other_documents_need_sex_and_birth_date(client, patient):
    _, headers = patient
    missing = add(client, headers, document_type="passport", document_number="E12345678")
    assert missing.status_code == 422
    assert missing.json["error"]["field"] == "sex"
    ok = add(client, headers, document_type="passport", document_number="e12345678",
             sex="male", birth_date="1990-02-03", name="John Smith")
    assert ok.status_code == 201, ok.json
    assert ok.json["data"]["document_type"] == "passport"


def test_a_passport_birth_date_before_1900_is_refused(client, patient):
    _, headers = patient
    response = add(client, headers, document_type="passport", document_number="E12345678",
                   sex="female", birth_date="0001-01-01")
    assert response.status_code == 422
    assert response.json["error"]["field"] == "birth_date"


def test_health_data_waits_for_privacy_consent(client, ctx):
    acct = f.account(consented=False)
    response = add(client, f.bearer(f.account_token(acct)))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "consent_required"


def test_one_id_number_belongs_to_one_person_only(client, patient, ctx):
    _, headers = patient
    number = f.resident_id()
    assert add(client, headers, document_number=number).status_code == 201
    twice = add(client, headers, document_number=number, relationship="parent")
    assert twice.status_code == 409
    assert twice.json["error"]["code"] == "profile_exists"
    other = f.bearer(f.account_token(f.account()))
    elsewhere = add(client, other, document_number=number, relationship="parent")
    assert elsewhere.status_code == 409
    assert elsewhere.json["error"]["code"] == "document_registered_elsewhere"


def test_an_id_number_alone_does_not_tell_whether_it_is_registered(client, patient, ctx):
    _, headers = patient
    number = f.resident_id()
    assert add(client, headers, document_number=number).status_code == 201
    prober = f.bearer(f.account_token(f.account()))
    guess = add(client, prober, document_number=number, name="王小二", relationship="parent")
    assert guess.status_code == 409
    assert guess.json["error"]["code"] == "cannot_add_profile"
    assert guess.json["error"]["message"] == "无法添加，请到窗口办理。"
    assert "field" not in guess.json["error"]


def test_only_one_self_profile(client, patient):
    _, headers = patient
    assert add(client, headers).status_code == 201
    second = add(client, headers, name="李四", document_number=f.resident_id())
    assert second.status_code == 409
    assert second.json["error"]["code"] == "self_profile_exists"


def test_update_phone_and_relationship_but_not_identity(client, patient):
    _, headers = patient
    profile_id = add(client, headers, relationship="parent").json["data"]["id"]
    response = client.patch(f"/api/v1/mp/profiles/{profile_id}", headers=headers,
                            json={"phone": "13912345678", "relationship": "grandparent"})
    assert response.status_code == 200
    assert response.json["data"]["phone_masked"] == "139****5678"
    assert response.json["data"]["relationship"] == "grandparent"
    rename = client.patch(f"/api/v1/mp/profiles/{profile_id}", headers=headers,
                          json={"name": "别人"})
    assert rename.status_code == 422
    bad_phone = client.patch(f"/api/v1/mp/profiles/{profile_id}", headers=headers,
                             json={"phone": "12345678901"})
    assert bad_phone.status_code == 422
    assert bad_phone.json["error"]["field"] == "phone"


def test_removed_profile_disappears_and_can_be_added_back(client, patient):
    _, headers = patient
    number = f.resident_id()
    profile_id = add(client, headers, document_number=number).json["data"]["id"]
    assert client.delete(f"/api/v1/mp/profiles/{profile_id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/mp/profiles/{profile_id}", headers=headers).status_code == 404
    assert client.get("/api/v1/mp/profiles", headers=headers).json["data"] == []
    again = add(client, headers, document_number=number)
    assert again.status_code == 201
    assert again.json["data"]["id"] == profile_id


def test_an_account_holds_at_most_ten_people(client, patient):
    _, headers = patient
    for index in range(10):
        response = add(client, headers, relationship="other_relative",
                       name=f"亲属{'甲乙丙丁戊己庚辛壬癸'[index]}", document_number=f.resident_id())
        assert response.status_code == 201, response.json
    eleventh = add(client, headers, relationship="other_relative", document_number=f.resident_id())
    assert eleventh.status_code == 409
    assert eleventh.json["error"]["code"] == "too_many_profiles"


def test_reading_one_profile_answers_what_the_list_says_of_it(client, patient):
    """The read of one 就诊人 is built without the schema; it must say exactly what the list
    (dumped by ProfileSchema) says, masks included, with and without a phone."""
    _, headers = patient
    with_phone = add(client, headers, phone="13800138000").json["data"]
    child = add(client, headers, relationship="child", name="王小明",
                 document_number=f.resident_id(date(2016, 5, 1), male=True)).json["data"]
    listed = client.get("/api/v1/mp/profiles", headers=headers).json["data"]
    for added in (with_phone, child):
        one = client.get(f"/api/v1/mp/profiles/{added['id']}", headers=headers)
        assert one.status_code == 200
        assert one.json["data"] == next(p for p in listed if p["id"] == added["id"])
    assert listed[0]["phone_masked"] == "138****8000" and listed[1]["phone_masked"] is None
    assert "13800138000" not in one.get_data(as_text=True)
