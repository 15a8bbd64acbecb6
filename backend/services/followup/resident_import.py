"""`frontdoor residents import FILE`: residents (and their programmes) from the public-health
system, all or nothing.

Every row is checked first, against the file and against the database (doctors, residents
managed elsewhere); any problem refuses the whole file with every problem listed. A file taken
twice changes nothing the second time: residents are found by their document's blind index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import insert, select

from backend.extensions import db
from backend.models import (
    Organization,
    PatientProfile,
    ProgrammeEnrolment,
    Resident,
    ResidentSource,
    StaffRole,
    StaffUser,
)
from backend.services import audit
from backend.services.followup.resident_files import ResidentRow, RowProblem
from followup.schedule import FIRST_FOLLOWUP

log = logging.getLogger(__name__)
CHUNK = 5_000  # rows per IN (...) look-up and per INSERT


class ImportRejected(ValueError):
    """The file was refused as a whole; nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} row(s) refused; nothing was imported")
        self.problems = problems


@dataclass(frozen=True)
class ImportSummary:
    residents_added: int
    residents_updated: int
    enrolments_added: int
    enrolments_kept: int  # already open, left as they were


def blind_index(value: str, kind: str) -> str:
    return current_app.extensions["blind_index"].digest(value, kind)


def import_residents(rows: list[ResidentRow], problems: list[RowProblem],
                     organization_code: str, today: date) -> ImportSummary:
    """Write the rows (already read by `resident_files`) for one community health centre."""
    organization = db.session.execute(
        select(Organization).where(Organization.code == organization_code)).scalar_one_or_none()
    if organization is None:
        raise ValueError(f"unknown organization code {organization_code!r}")
    problems = list(problems)
    indexed = [(row, blind_index(row.document_number, "document")) for row in rows]
    first_line: dict[str, str] = {}
    for row, index in indexed:
        if index in first_line:
            problems.append(RowProblem(row.line, f"the same document as {first_line[index]}"))
        else:
            first_line[index] = row.line
    existing = _existing(list(first_line))
    for row, index in indexed:
        found = existing.get(index)
        if found is not None and found.organization_id != organization.id:
            problems.append(RowProblem(row.line, "this resident is managed by another "
                                                 "organization; transfer them there first"))
    doctors = _doctors(organization.id, {e.doctor_username for r in rows for e in r.enrolments})
    for row in rows:
        for enrolment in row.enrolments:
            if enrolment.doctor_username not in doctors:
                problems.append(RowProblem(
                    row.line, f"doctor {enrolment.doctor_username!r} is not an active family "
                              f"doctor of {organization.code}"))
    if problems:
        problems.sort(key=_line_order)
        log.warning("resident import refused", extra={"organization": organization.code,
                                                      "problems": len(problems)})
        raise ImportRejected(problems)
    summary = _write(indexed, existing, doctors, organization, today)
    audit.record("resident.import", "organization", str(organization.external_id),
                 summary.__dict__, organization_id=organization.id)
    db.session.commit()
    log.info("residents imported", extra={"organization": organization.code, **summary.__dict__})
    return summary


def _line_order(problem: RowProblem) -> tuple[int, str]:
    digits = "".join(ch for ch in problem.line if ch.isdigit())
    return (int(digits) if digits else 0, problem.reason)


def _existing(indexes: list[str]) -> dict[str, Resident]:
    found: dict[str, Resident] = {}
    for start in range(0, len(indexes), CHUNK):
        chunk = indexes[start:start + CHUNK]
        for resident in db.session.execute(
                select(Resident).where(Resident.document_index.in_(chunk))).scalars():
            found[resident.document_index] = resident
    return found


def _doctors(organization_id: int, usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    rows = db.session.execute(select(StaffUser.username, StaffUser.id).where(
        StaffUser.username.in_(usernames), StaffUser.organization_id == organization_id,
        StaffUser.role == StaffRole.FAMILY_DOCTOR, StaffUser.is_active.is_(True))).all()
    return dict(rows)


def _patients(indexes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(indexes), CHUNK):
        chunk = indexes[start:start + CHUNK]
        found.update(db.session.execute(select(PatientProfile.document_index, PatientProfile.id)
                                        .where(PatientProfile.document_index.in_(chunk))).all())
    return found


def _write(indexed: list[tuple[ResidentRow, str]], existing: dict[str, Resident],
           doctors: dict[str, int], organization: Organization, today: date) -> ImportSummary:
    patients = _patients([index for _, index in indexed])
    updated, new = 0, []
    for row, index in indexed:
        resident = existing.get(index)
        fields = {"name": row.name, "phone": row.phone,
                  "phone_index": blind_index(row.phone, "phone") if row.phone else None,
                  "health_record_number": row.health_record_number,
                  "patient_id": patients.get(index)}
        if resident is None:
            new.append({"organization_id": organization.id, "sex": row.sex,
                        "birth_date": row.birth_date, "document_type": row.document_type,
                        "document_number": row.document_number, "document_index": index,
                        "source": ResidentSource.IMPORT.value, **fields})
            continue
        changed = False
        for name, value in fields.items():
            if value is not None and getattr(resident, name) != value:
                setattr(resident, name, value)
                changed = True
        updated += changed
    ids = {index: resident.id for index, resident in existing.items()}
    for start in range(0, len(new), CHUNK):
        chunk = new[start:start + CHUNK]
        ids.update(db.session.execute(
            insert(Resident).returning(Resident.document_index, Resident.id), chunk).all())
    open_now = _open_enrolments(list(ids.values()))
    enrolments, kept = [], 0
    for row, index in indexed:
        for enrolment in row.enrolments:
            if (ids[index], enrolment.programme) in open_now:
                kept += 1
                continue
            enrolments.append({"resident_id": ids[index], "programme": enrolment.programme,
                               "diagnosed_on": enrolment.diagnosed_on, "enrolled_on": today,
                               "doctor_id": doctors[enrolment.doctor_username],
                               "management_level": enrolment.management_level, "plan": {},
                               "next_due_on": today, "next_due_rule": FIRST_FOLLOWUP})
    for start in range(0, len(enrolments), CHUNK):
        db.session.execute(insert(ProgrammeEnrolment), enrolments[start:start + CHUNK])
    return ImportSummary(residents_added=len(new), residents_updated=updated,
                         enrolments_added=len(enrolments), enrolments_kept=kept)


def _open_enrolments(resident_ids: list[int]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for start in range(0, len(resident_ids), CHUNK):
        chunk = resident_ids[start:start + CHUNK]
        found.update((r, p) for r, p in db.session.execute(
            select(ProgrammeEnrolment.resident_id, ProgrammeEnrolment.programme).where(
                ProgrammeEnrolment.resident_id.in_(chunk),
                ProgrammeEnrolment.ended_on.is_(None))).all())
    return found
