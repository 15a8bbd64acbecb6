"""Readings posted by a home device gateway (家庭智能设备网关): an integration account of the
centre posts FHIR Observations; each becomes a resident's reading, assessed like one typed in
the mini-program (urgent ones reach the doctor today). Posting the same reading twice is one
row; one bad entry does not stop the others.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.auth import Principal
from backend.errors import ApiError
from backend.extensions import db
from backend.interop.home_devices import DeviceReadingError, entries, read_observation
from backend.models import Resident, VitalReading
from backend.services.followup.vitals import record_for
from backend.services.reports.fhir_inbound import outcome

log = logging.getLogger(__name__)


def receive(principal: Principal, bundle: Any) -> tuple[dict[str, Any], int]:
    """A batch-response Bundle, one entry per Observation in order."""
    try:
        resources = entries(bundle)
    except DeviceReadingError as error:
        return outcome(str(error), "structure"), 400
    answers = [_one(principal, resource) for resource in resources]
    db.session.commit()
    log.info("device readings received", extra={
        "gateway": principal.actor_external_id, "entries": len(answers),
        "created": sum(1 for a in answers if a["response"]["status"].startswith("201"))})
    return {"resourceType": "Bundle", "type": "batch-response", "entry": answers}, 200


def _one(principal: Principal, resource: Any) -> dict[str, Any]:
    try:
        reading = read_observation(resource)
    except DeviceReadingError as error:
        return _refused("400 Bad Request", str(error))
    index = current_app.extensions["blind_index"].digest(reading.document_number, "document")
    resident = db.session.execute(select(Resident).where(
        Resident.document_index == index,
        Resident.organization_id == principal.organization_id)).scalar_one_or_none()
    if resident is None:
        return _refused("404 Not Found", "本中心没有这位居民", "not-found")
    enrolments = [e for e in resident.enrolments if e.ended_on is None]
    if not enrolments:
        return _refused("422 Unprocessable Entity", "这位居民没有纳入高血压或糖尿病管理")
    device_id = f"{principal.actor_external_id}:{reading.reading_id}"
    existing = _existing(device_id)
    if existing is not None:
        return _done("200 OK", existing)
    try:
        with db.session.begin_nested():
            result = record_for(resident, enrolments,
                                {**reading.data, "measured_at": reading.measured_at},
                                "device", device_reading_id=device_id)
    except ApiError as error:  # out of range, too old, in the future: the vitals' own words
        return _refused("422 Unprocessable Entity", f"{error.field}: {error.message}")
    except IntegrityError:  # the same reading posted at the same moment by a retry
        return _done("200 OK", _existing(device_id))
    return _done("201 Created", result["reading"], result["level"])


def _existing(device_id: str) -> VitalReading | None:
    return db.session.execute(select(VitalReading).where(
        VitalReading.device_reading_id == device_id)).scalar_one_or_none()


def _done(status: str, reading: VitalReading, level: str | None = None) -> dict[str, Any]:
    answer = {"status": status, "location": f"Observation/{reading.external_id}"}
    if level is not None:
        answer["outcome"] = {"resourceType": "OperationOutcome", "issue": [{
            "severity": "information", "code": "informational",
            "diagnostics": f"level={level}"}]}
    return {"response": answer}


def _refused(status: str, reason: str, code: str = "invalid") -> dict[str, Any]:
    return {"response": {"status": status, "outcome": outcome(reason, code)}}
