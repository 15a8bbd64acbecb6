"""Authorization, in one place per resource.

A patient account reaches only its own 就诊人; a family doctor only the residents signed to them;
a hospital admin only residents signed to doctors of their own organization. Anything else is a
404, so ids of other people's records cannot be probed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, bindparam, exists, inspect, select

from backend.auth import Principal
from backend.driver_statement import DriverStatement
from backend.errors import NotFound
from backend.extensions import db
from backend.models import PatientProfile, PrincipalKind, SignedResident, StaffRole, StaffUser
from backend.services.audit import NEXT_NUMBER, numbers_in_statements
from backend.services.loaded_rows import as_loaded


def parse_id(external_id: str | uuid.UUID) -> uuid.UUID:
    """A public id from a URL; a malformed one is simply "not found", like an unknown one."""
    if isinstance(external_id, uuid.UUID):
        return external_id
    try:
        return uuid.UUID(str(external_id))
    except ValueError as exc:
        raise NotFound() from exc


def _signed_to(principal: Principal):
    """SQL condition: the profile is a resident this staff member may see."""
    contract = select(SignedResident.id).where(SignedResident.patient_id == PatientProfile.id)
    if principal.role == StaffRole.FAMILY_DOCTOR:
        contract = contract.where(SignedResident.staff_id == principal.staff_id)
    elif principal.role == StaffRole.HOSPITAL_ADMIN:
        contract = contract.join(StaffUser, StaffUser.id == SignedResident.staff_id).where(
            StaffUser.organization_id == principal.organization_id)
    else:
        return False
    return exists(contract)


def visible_profiles(principal: Principal) -> Select:
    query = select(PatientProfile).where(PatientProfile.archived_at.is_(None))
    if principal.kind == PrincipalKind.ACCOUNT:
        return query.where(PatientProfile.account_id == principal.account_id)
    return query.where(_signed_to(principal))


# A patient's own 就诊人 by public id, every column, in Core (the row becomes the mapped object,
# `loaded_rows`): built once, since every read of one runs it.
_PROFILE_COLUMNS = tuple(attr.key for attr in inspect(PatientProfile).column_attrs)
_OWN_PROFILE = select(*(getattr(PatientProfile, name) for name in _PROFILE_COLUMNS)).where(
    PatientProfile.archived_at.is_(None), PatientProfile.account_id == bindparam("account_id"),
    PatientProfile.external_id == bindparam("external_id"))
# The same with the number of the read's audit entry: PostgreSQL evaluates it only for a row
# found, so an unknown id takes no number.
_OWN_PROFILE_NUMBERED = DriverStatement(_OWN_PROFILE.add_columns(NEXT_NUMBER.label("audit_number")))
_OWN_PROFILE = DriverStatement(_OWN_PROFILE)


def load_profile(principal: Principal, external_id: str | uuid.UUID) -> PatientProfile:
    return _load(principal, external_id, numbered=False)[0]


def load_profile_numbered(principal: Principal, external_id: str | uuid.UUID
                          ) -> tuple[PatientProfile, int | None]:
    """The profile and, for a patient on PostgreSQL, the number of the audit entry that records
    this read, taken by the same statement (for `audit.record(..., number=…)`; None: numbered
    at the commit)."""
    return _load(principal, external_id, numbered=True)


def _load(principal: Principal, external_id: str | uuid.UUID, numbered: bool
          ) -> tuple[PatientProfile, int | None]:
    profile_id = parse_id(external_id)
    if principal.kind != PrincipalKind.ACCOUNT:
        profile = db.session.execute(visible_profiles(principal).where(
            PatientProfile.external_id == profile_id)).scalar_one_or_none()
        if profile is None:
            raise NotFound("没有找到这位就诊人。")
        return profile, None
    numbered = numbered and numbers_in_statements(db.session)
    row = (_OWN_PROFILE_NUMBERED if numbered else _OWN_PROFILE).one_or_none({
        "account_id": principal.account_id, "external_id": profile_id})
    if row is None:
        raise NotFound("没有找到这位就诊人。")
    count = len(_PROFILE_COLUMNS)
    profile = as_loaded(PatientProfile, dict(zip(_PROFILE_COLUMNS, row[:count], strict=True)))
    return profile, (row[count] if numbered else None)
