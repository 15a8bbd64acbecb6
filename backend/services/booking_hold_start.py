"""A patient's hold starts here (挂号's first statement): the slot with its session, department,
doctor and hospital, the 就诊人's row locked, and the id of a booking the request's
Idempotency-Key already made, in one Core statement.

Why Core: the ORM's loading of six joined entities cost more than the statement. The rows become
the same mapped objects, joined to the session as loaded (`loaded_rows`; columns not read here
load on first use, as `load_only` would), so everything after the start works on them unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from backend.driver_statement import DriverStatement
from backend.models import Booking, Department, Doctor, Organization, PatientProfile, Schedule, Slot
from backend.services.loaded_rows import as_loaded

# The columns a hold reads and answers with, by entity; the slot's all.
_PARTS: dict[type, tuple[str, ...]] = {
    Slot: tuple(attr.key for attr in inspect(Slot).column_attrs),
    Schedule: ("id", "organization_id", "department_id", "doctor_id", "clinic_date", "half_day",
               "registration_type", "fee_fen", "release_at", "status", "now_serving",
               "minutes_per_patient", "external_id"),
    Department: ("id", "name", "external_id", "min_age", "max_age", "sex_limit"),
    Doctor: ("id", "name", "external_id"),
    Organization: ("id", "name", "external_id", "booking_rules"),
    PatientProfile: ("id", "account_id", "relationship", "name", "sex", "birth_date",
                     "document_type", "document_number", "archived_at", "external_id"),
}


def _offsets() -> dict[type, int]:
    """Where each entity's columns start in a row of the statement."""
    offsets, at = {}, 0
    for entity, names in _PARTS.items():
        offsets[entity], at = at, at + len(names)
    return offsets


_OFFSET = _offsets()


_TWIN = (select(Booking.id).where(Booking.account_id == bindparam("account_id"),
                                  Booking.idempotency_key == bindparam("key"))
         .scalar_subquery().label("twin_id"))
_START = DriverStatement(
    select(*(getattr(entity, name) for entity, names in _PARTS.items() for name in names),
           _TWIN)
    .select_from(Slot)
    .join(Schedule, Schedule.id == Slot.schedule_id)
    .join(Department, Department.id == Schedule.department_id)
    .join(Organization, Organization.id == Schedule.organization_id)
    .outerjoin(Doctor, Doctor.id == Schedule.doctor_id)
    .join(PatientProfile, (PatientProfile.external_id == bindparam("patient_id"))
          & (PatientProfile.account_id == bindparam("account_id"))
          & PatientProfile.archived_at.is_(None))
    .where(Slot.external_id == bindparam("slot_id"))
    .with_for_update(of=PatientProfile.__table__))


@dataclass(frozen=True)
class HoldStart:
    twin_id: int | None
    slot: Slot
    patient: PatientProfile


def _as_loaded(entity: type, row: Any) -> Any:
    names, at = _PARTS[entity], _OFFSET[entity]
    values = dict(zip(names, row[at:at + len(names)], strict=True))
    return None if values["id"] is None else as_loaded(entity, values)  # no doctor: None


def start(slot_id: uuid.UUID, patient_id: uuid.UUID, account_id: int, key: str | None
          ) -> HoldStart | None:
    """None when the slot or the account's 就诊人 is not there (the caller's steps say which)."""
    row = _START.one_or_none({"slot_id": slot_id, "patient_id": patient_id,
                              "account_id": account_id, "key": key})
    if row is None:
        return None
    slot, schedule = _as_loaded(Slot, row), _as_loaded(Schedule, row)
    set_committed_value(slot, "schedule", schedule)
    for name, entity in (("department", Department), ("doctor", Doctor),
                         ("organization", Organization)):
        set_committed_value(schedule, name, _as_loaded(entity, row))
    return HoldStart(row[-1], slot, _as_loaded(PatientProfile, row))
