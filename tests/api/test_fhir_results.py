"""Results pushed as FHIR R4 transaction Bundles: validated, idempotent, corrections kept,
refusals dead-lettered, integration accounts only."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from sqlalchemy import select

from backend.extensions import db
from backend.models import InboundDeadLetter, Report, ReportRevision
from tests import factories as f
from tests import report_support as rs

BUNDLE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
                     / "lipids_bundle.json").read_text("utf-8"))
FHIR = "application/fhir+json"


def _post(client, token, body):
    return client.post("/fhir/r4/Bundle", data=json.dumps(body, ensure_ascii=False),
                       headers={**f.bearer(token), "Content-Type": FHIR})


def _reports():
    db.session.expire_all()
    return list(db.session.execute(select(Report)).scalars())


def test_a_bundle_is_stored_once_and_answered_with_a_transaction_response(ctx, client):
    hospital = rs.hospital()
    patient = rs.zhang()
    token = f.staff_token(hospital.integration)
    first = _post(client, token, BUNDLE)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.mimetype == FHIR
    body = first.json
    assert body["type"] == "transaction-response"
    assert body["entry"][0]["response"]["status"] == "201 Created"
    [report] = _reports()
    assert (report.accession, report.title, report.status, report.source) == \
        ("F20261203001", "血脂+血糖", "final", "fhir")
    assert report.patient_id == patient.id and report.ordering_clinician_code == "D001"
    values = {r.test_code: (r.value, r.unit, r.reference_range, r.lab_flag, r.loinc)
              for r in report.results}
    assert values["TC"] == ("5.86", "mmol/L", "<5.2", "H", "14647-2")
    assert values["GLU"] == ("5.4", "mmol/L", "3.9-6.1", None, "14771-0")
    again = _post(client, token, BUNDLE)
    assert again.json["entry"][0]["response"]["status"] == "200 OK"
    assert len(_reports()) == 1 and _reports()[0].version == 1


def test_an_amended_report_replaces_the_value_and_keeps_the_old(ctx, client):
    hospital = rs.hospital()
    rs.zhang()
    token = f.staff_token(hospital.integration)
    _post(client, token, BUNDLE)
    amended = copy.deepcopy(BUNDLE)
    amended["entry"][5]["resource"]["status"] = "amended"
    amended["entry"][2]["resource"]["valueQuantity"]["value"] = 5.68
    assert _post(client, token, amended).status_code == 200
    [report] = _reports()
    assert report.status == "corrected" and report.version == 2
    assert next(r.value for r in report.results if r.test_code == "TC") == "5.68"
    revision = db.session.execute(select(ReportRevision)).scalar_one()
    assert next(r["value"] for r in revision.snapshot["results"] if r["code"] == "TC") == "5.86"


def test_a_bundle_that_fails_validation_is_refused_and_kept(ctx, client):
    hospital = rs.hospital()
    token = f.staff_token(hospital.integration)
    broken = copy.deepcopy(BUNDLE)
    broken["entry"][2]["resource"]["valueQuantity"]["value"] = "五点八六"
    response = _post(client, token, broken)
    assert response.status_code == 422
    assert response.json["resourceType"] == "OperationOutcome"
    assert "FHIR 校验不通过" in response.json["issue"][0]["diagnostics"]
    not_transaction = {**BUNDLE, "type": "collection"}
    assert _post(client, token, not_transaction).status_code == 422
    letters = db.session.execute(select(InboundDeadLetter)).scalars().all()
    assert [(d.channel, d.control_id) for d in letters] == [("fhir", "LIS-FHIR-0001")] * 2
    assert _reports() == []


def test_only_integration_accounts_may_push_results(ctx, client):
    hospital = rs.hospital()
    patient_token = f.account_token(f.account())
    for token in (f.staff_token(hospital.admin), f.staff_token(hospital.clinician),
                  patient_token):
        assert _post(client, token, BUNDLE).status_code == 403
    assert client.post("/fhir/r4/Bundle", json=BUNDLE).status_code == 401
