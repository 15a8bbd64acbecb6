"""HL7 FHIR R4 for the hospital EMR: pull pre-visit notes, read the Questionnaire, and push
results in (integration accounts).

Plain FHIR JSON (`application/fhir+json`) rather than the `{"data": ...}` envelope, because the
callers are FHIR clients. Staff tokens only; every read is audited.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, request

from backend.auth import require_staff
from backend.interop.fhir import questionnaire
from backend.models import StaffRole
from backend.services import fhir_pull
from backend.services.followup import device_readings
from backend.services.reports import fhir_inbound
from conversations.knowledge import default_knowledge

bp = Blueprint("fhir", __name__, url_prefix="/fhir/r4")
FHIR_JSON = "application/fhir+json"


def _fhir(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=FHIR_JSON)


@bp.get("/Bundle")
@require_staff()
def search_bundles():
    """`?patient=<id>` or `?encounter=<id>`: the pre-visit note Bundles, newest first."""
    return _fhir(fhir_pull.search(g.principal, request.args.get("patient"),
                                  request.args.get("encounter")))


@bp.post("/Bundle")
@require_staff(StaffRole.INTEGRATION)
def receive_results():
    """Results from the hospital's LIS/PACS: a transaction Bundle of DiagnosticReport and
    Observation (+ Patient, ServiceRequest); answered with a transaction-response, or an
    OperationOutcome (422) when refused, the Bundle then kept in the dead-letter table."""
    body = request.get_json(silent=True)
    if body is None:
        return _fhir(fhir_inbound.outcome("请求体不是 JSON", "structure"), 400)
    response, status = fhir_inbound.receive(g.principal, body)
    return _fhir(response, status)


@bp.get("/Bundle/<note_id>")
@require_staff()
def read_bundle(note_id: str):
    """One note's transaction Bundle (its id is the note id)."""
    return _fhir(fhir_pull.read(g.principal, note_id))


@bp.get("/Questionnaire/pre-visit")
@require_staff()
def read_questionnaire():
    return _fhir(questionnaire(default_knowledge()))


@bp.post("/home-devices")
@require_staff(StaffRole.INTEGRATION)
def receive_device_readings():
    """A home device gateway's batch Bundle of Observations (blood pressure, glucose), posted
    to this FHIR base; answered with a batch-response, one entry per Observation."""
    body = request.get_json(silent=True)
    if body is None:
        return _fhir(fhir_inbound.outcome("请求体不是 JSON", "structure"), 400)
    response, status = device_readings.receive(g.principal, body)
    return _fhir(response, status)
