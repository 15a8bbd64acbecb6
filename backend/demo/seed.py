"""Load `hospital_group.yaml` into the database; running it again adds only what is missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    Account,
    Department,
    Doctor,
    Organization,
    PatientProfile,
    SignedResident,
    StaffUser,
)
from backend.security.identity_docs import DocumentType, normalize_mobile, parse_resident_id
from backend.services import audit
from backend.services.staff import hash_password
from backend.timeutil import utcnow

DATA_FILE = Path(__file__).with_name("hospital_group.yaml")
_SYSTEM = {"actor_kind": "system", "actor_id": "seed-demo"}


def load_data(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def seed(path: Path = DATA_FILE) -> dict[str, int]:
    data = load_data(path)
    counts = {"organizations": 0, "departments": 0, "doctors": 0, "staff": 0, "accounts": 0,
              "profiles": 0}
    catalogue = data["department_catalogue"]
    for org_data in data["organizations"]:
        _seed_organization(org_data, catalogue, counts)
    staff_by_username = {s["username"]: _seed_staff(s, counts) for s in data["staff"]}
    for account_data in data["accounts"]:
        _seed_account(account_data, staff_by_username, counts)
    db.session.commit()
    return counts


def _seed_organization(org_data: dict, catalogue: dict, counts: dict[str, int]) -> None:
    org = db.session.execute(
        select(Organization).where(Organization.code == org_data["code"])).scalar_one_or_none()
    if org is None:
        org = Organization(code=org_data["code"], name=org_data["name"], kind=org_data["kind"],
                           address=org_data.get("address"), phone=org_data.get("phone"),
                           province=org_data.get("province"))
        db.session.add(org)
        db.session.flush()
        counts["organizations"] += 1
    existing = {d.code: d for d in org.departments}
    for order, code in enumerate(org_data["departments"]):
        if code in existing:
            continue
        name, category, description, *limits = catalogue[code]
        min_age, max_age, sex_limit = [*limits, None, None, None][:3]
        department = Department(organization_id=org.id, code=code, name=name, category=category,
                                description=description, min_age=min_age, max_age=max_age,
                                sex_limit=sex_limit, sort_order=order)
        db.session.add(department)
        existing[code] = department
        counts["departments"] += 1
    db.session.flush()
    for code, doctors in (org_data.get("doctors") or {}).items():
        department = existing[code]
        known = {d.name for d in department.doctors}
        for name, title, specialty in doctors:
            if name not in known:
                db.session.add(Doctor(department_id=department.id, name=name, title=title,
                                      specialty=specialty))
                counts["doctors"] += 1


def staff_wecom_ids(path: Path = DATA_FILE) -> list[str]:
    """The demo staff's WeCom accounts (the simulated corp is told they are members)."""
    return [s["wecom_userid"] for s in load_data(path)["staff"] if s.get("wecom_userid")]


def _seed_staff(staff_data: dict, counts: dict[str, int]) -> StaffUser:
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.username == staff_data["username"])
    ).scalar_one_or_none()
    if staff is not None:
        return staff
    org = db.session.execute(select(Organization).where(
        Organization.code == staff_data["organization"])).scalar_one()
    staff = StaffUser(username=staff_data["username"], display_name=staff_data["name"],
                      role=staff_data["role"], organization_id=org.id,
                      his_code=staff_data.get("his_code"),
                      department_code=staff_data.get("department"),
                      wecom_userid=staff_data.get("wecom_userid"),
                      password_hash=hash_password(staff_data["password"]))
    db.session.add(staff)
    db.session.flush()
    audit.record("staff.create", "staff", str(staff.external_id), {"role": staff.role}, **_SYSTEM)
    counts["staff"] += 1
    return staff


def _seed_account(account_data: dict, staff_by_username: dict[str, StaffUser],
                  counts: dict[str, int]) -> None:
    if "wechat_openid" in account_data:
        column, value = Account.wechat_openid, account_data["wechat_openid"]
    else:
        column, value = Account.alipay_user_id, str(account_data["alipay_user_id"])
    account = db.session.execute(select(Account).where(column == value)).scalar_one_or_none()
    if account is None:
        account = Account(**{column.key: value})
        if account_data.get("consented_policy"):
            account.privacy_policy_version = account_data["consented_policy"]
            account.privacy_consented_at = utcnow()
        db.session.add(account)
        db.session.flush()
        counts["accounts"] += 1
    blind_index = current_app.extensions["blind_index"]
    for profile_data in account_data["profiles"]:
        resident = parse_resident_id(profile_data["document_number"])
        index = blind_index.digest(resident.number, "document")
        if db.session.execute(select(PatientProfile.id).where(
                PatientProfile.document_index == index)).first():
            continue
        phone = normalize_mobile(profile_data["phone"]) if profile_data.get("phone") else None
        profile = PatientProfile(
            account_id=account.id, relationship=profile_data["relationship"],
            name=profile_data["name"], sex=resident.sex, birth_date=resident.birth_date,
            document_type=DocumentType.RESIDENT_ID.value, document_number=resident.number,
            document_index=index, phone=phone,
            phone_index=blind_index.digest(phone, "phone") if phone else None)
        db.session.add(profile)
        db.session.flush()
        audit.record("profile.create", "patient_profile", str(profile.external_id),
                     {"relationship": profile.relationship}, **_SYSTEM)
        counts["profiles"] += 1
        doctor_name = profile_data.get("family_doctor")
        if doctor_name:
            db.session.add(SignedResident(staff_id=staff_by_username[doctor_name].id,
                                          patient_id=profile.id, signed_on=date(2026, 1, 1)))
