"""Authorization, in one place per resource.

A patient account reaches only its own 就诊人; a family doctor only the residents signed to them;
a hospital admin only residents signed to doctors of their own organization. Anything else is a
404, so ids of other people's records cannot be probed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, select

from backend.auth import Principal
from backend.errors import NotFound
from backend.extensions import db
from backend.models import PatientProfile, PrincipalKind, SignedResident, StaffRole, StaffUser


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


def load_profile(principal: Principal, external_id: str | uuid.UUID) -> PatientProfile:
    profile = db.session.execute(
        visible_profiles(principal).where(PatientProfile.external_id == parse_id(external_id))
    ).scalar_one_or_none()
    if profile is None:
        raise NotFound("没有找到这位就诊人。")
    return profile
