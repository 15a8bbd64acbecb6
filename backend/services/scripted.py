"""`frontdoor converse`: scripted patients through the real assistant, per hospital.

The hospital code in each script selects that hospital's own department list from the database,
so a hospital checks exactly what its patients will be offered.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from backend.extensions import db
from backend.models import Department, Organization
from backend.services.conversations import assistant
from conversations.scripted import ScriptedPatient, play

log = logging.getLogger(__name__)


def hospital_departments(code: str) -> dict[str, str]:
    organization = db.session.execute(
        select(Organization).where(Organization.code == code)).scalar_one_or_none()
    if organization is None:
        raise ValueError(f"unknown hospital code {code!r}")
    rows = db.session.execute(select(Department.code, Department.name).where(
        Department.organization_id == organization.id)).all()
    return {dept_code: name for dept_code, name in rows}


def run_file(path: str | Path) -> Iterator[dict[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of scripted patients")
    patients = [ScriptedPatient.parse(item, index) for index, item in enumerate(data)]
    cache: dict[str, dict[str, str]] = {}
    for patient in patients:
        try:
            departments = None
            if patient.hospital:
                if patient.hospital not in cache:
                    cache[patient.hospital] = hospital_departments(patient.hospital)
                departments = cache[patient.hospital]
            _, outcome = play(assistant(), patient, departments)
        except Exception as exc:  # one patient's failure never stops the batch
            log.exception("scripted patient failed", extra={"patient": patient.id})
            outcome = {"id": patient.id, "error": f"{type(exc).__name__}: {exc}"}
        yield outcome
