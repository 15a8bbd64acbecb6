"""Console staff: password login with lockout, and the residents a staff member may see."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from backend.auth import Principal, open_session
from backend.errors import ApiError, Unauthenticated
from backend.extensions import db
from backend.models import (
    AuditEntry,
    Organization,
    PatientProfile,
    PrincipalKind,
    StaffRole,
    StaffUser,
)
from backend.services import access, audit
from backend.timeutil import utcnow

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verifying against this keeps unknown usernames as slow as wrong passwords (no user probing).
_DUMMY_HASH = _hasher.hash("frontdoor-dummy-password")
MIN_PASSWORD_LENGTH = 10


class AccountLocked(ApiError):
    status, code, message = 423, "account_locked", "密码错误次数过多，账户已临时锁定，请稍后再试。"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


@dataclass(frozen=True)
class StaffLogin:
    token: str
    expires_at: datetime
    staff: StaffUser


def login(username: str, password: str) -> StaffLogin:
    config = current_app.config
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    now = utcnow()
    if staff is None or not staff.is_active:
        _verify(_DUMMY_HASH, password)
        log.info("staff login refused: unknown or inactive user")
        raise Unauthenticated("用户名或密码不正确。", code="bad_credentials")
    if staff.locked_until and staff.locked_until > now:
        raise AccountLocked()
    if not _verify(staff.password_hash, password):
        staff.failed_login_count += 1
        locked = staff.failed_login_count >= config["STAFF_LOCKOUT_ATTEMPTS"]
        if locked:
            staff.locked_until = now + timedelta(minutes=config["STAFF_LOCKOUT_MINUTES"])
            staff.failed_login_count = 0
        audit.record("staff.login_failed", "staff", str(staff.external_id),
                     {"locked": locked}, actor_kind="staff", actor_id=str(staff.external_id),
                     actor_role=staff.role)
        db.session.commit()
        log.warning("staff login failed", extra={"staff": str(staff.external_id),
                                                 "locked": locked})
        if locked:
            raise AccountLocked()
        raise Unauthenticated("用户名或密码不正确。", code="bad_credentials")
    staff.failed_login_count = 0
    staff.locked_until = None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    session, token = open_session(kind=PrincipalKind.STAFF, channel="console",
                                  staff_id=staff.id)
    audit.record("staff.login", "staff", str(staff.external_id), actor_kind="staff",
                 actor_id=str(staff.external_id), actor_role=staff.role)
    db.session.commit()
    return StaffLogin(token, session.expires_at, staff)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def current_staff(principal: Principal) -> StaffUser:
    return db.session.get(StaffUser, principal.staff_id)


def list_residents(principal: Principal, limit: int, offset: int
                   ) -> tuple[list[PatientProfile], int]:
    query = access.visible_profiles(principal)
    total = db.session.execute(
        select(func.count()).select_from(query.subquery())
    ).scalar_one()
    rows = db.session.execute(
        query.order_by(PatientProfile.name, PatientProfile.id).limit(limit).offset(offset)
    ).scalars().all()
    audit.record("resident.list", "staff", principal.actor_external_id,
                 {"count": len(rows), "offset": offset})
    db.session.commit()
    return list(rows), total


def get_resident(principal: Principal, external_id: str) -> PatientProfile:
    profile = access.load_profile(principal, external_id)
    audit.record("resident.read", "patient_profile", str(profile.external_id))
    db.session.commit()
    return profile


def audit_log(principal: Principal, limit: int, before_seq: int | None) -> list[AuditEntry]:
    """Hospital admins read the log; reading it is itself recorded."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq:
        query = query.where(AuditEntry.seq < before_seq)
    rows = list(db.session.execute(query).scalars().all())
    audit.record("audit.read", "audit_log", None, {"count": len(rows)})
    db.session.commit()
    return rows


def create_staff(username: str, display_name: str, role: str, organization_code: str,
                 password: str, his_code: str | None = None,
                 department_code: str | None = None) -> StaffUser:
    """Create a console account; refuses weak passwords and duplicate usernames. Clinicians
    need their 工号 (his_code, as OBR-16 names the orderer) and department to get 危急值."""
    if role not in {r.value for r in StaffRole}:
        raise ValueError(f"unknown role {role!r}")
    clinical = {StaffRole.CLINICIAN.value, StaffRole.DEPARTMENT_HEAD.value}
    if role in clinical and not (his_code and department_code):
        raise ValueError("clinicians and department heads need --his-code and --department")
    organization = db.session.execute(
        select(Organization).where(Organization.code == organization_code)
    ).scalar_one_or_none()
    if organization is None:
        raise ValueError(f"no organization with code {organization_code!r}")
    username = username.strip().lower()
    if db.session.execute(select(StaffUser.id).where(StaffUser.username == username)).first():
        raise ValueError(f"username {username!r} is taken")
    staff = StaffUser(username=username, display_name=display_name, role=role,
                      organization_id=organization.id, password_hash=hash_password(password),
                      his_code=his_code or None, department_code=department_code or None)
    db.session.add(staff)
    db.session.flush()
    audit.record("staff.create", "staff", str(staff.external_id), {"role": role})
    db.session.commit()
    return staff
