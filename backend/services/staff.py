"""Console staff: password login with lockout, and the residents a staff member may see."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from backend.auth import Principal, open_session
from backend.errors import Unauthenticated
from backend.extensions import db
from backend.models import (
    AdminAlert,
    AuditEntry,
    Organization,
    PatientProfile,
    PrincipalKind,
    StaffRole,
    StaffUser,
)
from backend.request_context import client_ip
from backend.services import access, audit, login_throttle

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verifying against this keeps unknown usernames as slow as wrong passwords (no user probing).
_DUMMY_HASH = _hasher.hash("frontdoor-dummy-password")
MIN_PASSWORD_LENGTH = 10
# Wrong passwords on one account, from anywhere, that make an alert: this many times the
# failures one address may make before it has to wait.
BURST_FACTOR = 4


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


@dataclass(frozen=True)
class StaffLogin:
    token: str
    expires_at: datetime
    staff: StaffUser


BAD_CREDENTIALS = "用户名或密码不正确。多次输错后，请等几分钟再试。"


def login(username: str, password: str) -> StaffLogin:
    """Unknown user, wrong password and "wait before trying again" get the same answer after
    the same work (one Argon2 verification), so none can be told from another."""
    username = username.strip().lower()
    source = client_ip()
    if login_throttle.wait_seconds(username, source):
        _verify(_DUMMY_HASH, password)
        log.warning("staff login refused: this source must wait", extra={"source": source})
        raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.username == username)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if staff is None or not staff.is_active:
        _verify(_DUMMY_HASH, password)
        throttle = login_throttle.record_failure(username, source)
        log.info("staff login refused: unknown or inactive user",
                 extra={"source": source, "failures": throttle.failures})
        raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    if not _verify(staff.password_hash, password):
        _failed(staff, login_throttle.record_failure(username, source))
        raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    login_throttle.record_success(username, source)
    staff.failed_login_count = 0
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    session, token = open_session(kind=PrincipalKind.STAFF, channel="console",
                                  staff_id=staff.id)
    audit.record("staff.login", "staff", str(staff.external_id), actor_kind="staff",
                 actor_id=str(staff.external_id), actor_role=staff.role,
                 organization_id=staff.organization_id)
    db.session.commit()
    return StaffLogin(token, session.expires_at, staff)


def _failed(staff: StaffUser, throttle: login_throttle.Throttle) -> None:
    """Record a wrong password; a burst on one account (from any mix of addresses) is raised
    to its hospital's admins."""
    staff.failed_login_count += 1
    audit.record("staff.login_failed", "staff", str(staff.external_id),
                 {"wait_seconds": throttle.wait_seconds}, actor_kind="staff",
                 actor_id=str(staff.external_id), actor_role=staff.role,
                 organization_id=staff.organization_id)
    burst = current_app.config["STAFF_LOCKOUT_ATTEMPTS"] * BURST_FACTOR
    if staff.failed_login_count % burst == 0:
        db.session.add(AdminAlert(
            organization_id=staff.organization_id, kind="staff_login_burst",
            subject_id=str(staff.external_id),
            message=f"账号 {staff.username} 已连续 {staff.failed_login_count} 次密码错误，"
                    "可能有人在猜测密码，请核实。"))
        log.warning("staff login burst", extra={"staff": str(staff.external_id),
                                                "failures": staff.failed_login_count})
    db.session.commit()
    log.warning("staff login failed", extra={"staff": str(staff.external_id),
                                             "wait_seconds": throttle.wait_seconds})


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
    """A hospital admin reads their own organization's entries; only the group auditor role
    reads every organization's. Reading the log is itself recorded."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if principal.role != StaffRole.GROUP_AUDITOR:
        query = query.where(AuditEntry.organization_id == principal.organization_id)
    if before_seq:
        query = query.where(AuditEntry.seq < before_seq)
    rows = list(db.session.execute(query).scalars().all())
    audit.record("audit.read", "audit_log", None, {"count": len(rows)})
    db.session.commit()
    return rows


def create_staff(username: str, display_name: str, role: str, organization_code: str,
                 password: str, his_code: str | None = None,
                 department_code: str | None = None,
                 wecom_userid: str | None = None) -> StaffUser:
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
                      his_code=his_code or None, department_code=department_code or None,
                      wecom_userid=wecom_userid or None)
    db.session.add(staff)
    db.session.flush()
    audit.record("staff.create", "staff", str(staff.external_id), {"role": role},
                 organization_id=organization.id)
    db.session.commit()
    return staff
