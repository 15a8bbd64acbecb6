"""A FHIR transaction Bundle of results in, a transaction-response out; a Bundle we cannot take
is dead-lettered with the reason and answered with an OperationOutcome."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.extensions import db
from backend.interop.fhir_results import FhirRefused, parse_bundle
from backend.models import Organization, Report
from backend.services.reports.ingest import dead_letter, ingest

_STATUS_LINE = {"create": "201 Created"}


def outcome(reason: str, code: str = "invalid") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": reason}]}


def _informational(text: str) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [
        {"severity": "information", "code": "informational", "diagnostics": text}]}


def receive(principal: Principal, body: Any) -> tuple[dict[str, Any], int]:
    """(FHIR response body, HTTP status)."""
    organization = db.session.get(Organization, principal.organization_id)
    try:
        identifier, reports = parse_bundle(body)
    except FhirRefused as refused:
        control = body.get("identifier", {}).get("value", "") \
            if isinstance(body, dict) and isinstance(body.get("identifier"), dict) else ""
        dead_letter("fhir", organization.id, str(control)[:64], str(refused),
                    json.dumps(body, ensure_ascii=False)[:1_000_000])
        return outcome(str(refused)), 422
    result = ingest(organization, reports, "fhir")
    entries = []
    for accession, action in result.actions:
        report = db.session.execute(select(Report).where(
            Report.organization_id == organization.id, Report.accession == accession)
        ).scalar_one()
        entries.append({"response": {"status": _STATUS_LINE.get(action, "200 OK"),
                                     "location": f"DiagnosticReport/{report.external_id}"
                                                 f"/_history/{report.version}",
                                     "outcome": _informational(f"{accession}: {action}")}})
    return {"resourceType": "Bundle", "type": "transaction-response",
            **({"identifier": {"value": identifier}} if identifier else {}),
            "entry": entries}, 200
