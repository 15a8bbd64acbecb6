"""EMRs that pull: staff fetch a patient's pre-visit notes as FHIR Bundles, audited; the patient
sees whether the note has reached the doctor."""

from __future__ import annotations

from datetime import date

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from backend.demo.seed import seed
from backend.extensions import db
from backend.models import AuditEntry, Organization, StaffUser
from tests import factories as f


@pytest.fixture()
def confirmed(client, ctx):
    seed()
    acct = f.account()
    profile = f.profile(acct, name="赵丽华", birth=date(1966, 8, 9), male=False)
    hospital = db.session.execute(
        select(Organization).where(Organization.code == "H001")).scalar_one()
    headers = f.bearer(f.account_token(acct))
    started = client.post("/api/v1/mp/conversations", headers=headers, json={
        "patient_id": str(profile.external_id), "mode": "pre_consultation",
        "hospital_id": str(hospital.external_id)}).json["data"]
    client.post(f"/api/v1/mp/conversations/{started['id']}/messages", headers=headers,
                json={"text": "咳嗽一周了，有黄痰，对头孢过敏"})
    note = client.post(f"/api/v1/mp/conversations/{started['id']}/note/confirm",
                       headers=headers, json={}).json["data"]
    return {"patient": str(profile.external_id), "note": note, "headers": headers}


def staff_headers(username: str) -> dict[str, str]:
    staff = db.session.execute(select(StaffUser).where(StaffUser.username == username)
                               ).scalar_one()
    return f.bearer(f.staff_token(staff))


def test_hospital_staff_pull_the_bundle_and_the_read_is_audited(client, confirmed):
    headers = staff_headers("admin.h001")
    response = client.get(f"/fhir/r4/Bundle?patient={confirmed['patient']}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    search = response.json
    assert search["type"] == "searchset" and search["total"] == 1
    bundle = search["entry"][0]["resource"]
    Bundle.model_validate(bundle)
    assert bundle["identifier"]["value"] == confirmed["note"]["id"]
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Encounter", "Composition", "QuestionnaireResponse",
            "AllergyIntolerance"} <= kinds
    one = client.get(f"/fhir/r4/Bundle/{confirmed['note']['id']}", headers=headers)
    assert one.status_code == 200 and one.json["type"] == "transaction"
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "fhir.search" in actions and "fhir.read" in actions


def test_other_organizations_and_patients_get_nothing(client, confirmed):
    other = staff_headers("admin.east")
    search = client.get(f"/fhir/r4/Bundle?patient={confirmed['patient']}", headers=other).json
    assert search["total"] == 0
    assert client.get(f"/fhir/r4/Bundle/{confirmed['note']['id']}",
                      headers=other).status_code == 404
    assert client.get(f"/fhir/r4/Bundle?patient={confirmed['patient']}",
                      headers=confirmed["headers"]).status_code == 403
    assert client.get("/fhir/r4/Bundle", headers=other).status_code == 422


def test_the_questionnaire_is_published(client, confirmed):
    response = client.get("/fhir/r4/Questionnaire/pre-visit", headers=staff_headers("admin.h001"))
    assert response.status_code == 200
    links = {item["linkId"] for item in response.json["item"]}
    assert {"chief_complaint.duration", "allergy.drugs"} <= links


def test_the_patient_sees_that_the_note_waits_when_no_emr_is_configured(client, confirmed):
    note = client.get(f"/api/v1/mp/notes/{confirmed['note']['id']}",
                      headers=confirmed["headers"]).json["data"]
    assert note["delivery_state"] == "waiting" and note["delivery_label"] == "等待发送"
