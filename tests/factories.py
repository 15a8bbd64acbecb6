"""Factories for tests: small functions that make one thing each, with sensible defaults."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

import requests
from flask import current_app

from backend.auth import open_session
from backend.extensions import db
from backend.models import (
    Account,
    Organization,
    PatientProfile,
    PrincipalKind,
    SignedResident,
    StaffUser,
)
from backend.security.identity_docs import resident_id_check_char
from backend.services.staff import hash_password
from backend.timeutil import utcnow

_serial = itertools.count(1)
STAFF_PASSWORD = "Correct-Horse-Battery-9"


def resident_id(birth: date = date(1980, 1, 1), male: bool = True, region: str = "110105") -> str:
    """A synthetic resident ID number with a valid check digit, unique per call."""
    seq = next(_serial)
    order = f"{seq % 100:02d}{(seq // 100) % 5 * 2 + (1 if male else 0)}"
    body = f"{region}{birth:%Y%m%d}{order}"
    return body + resident_id_check_char(body)


def account(consented: bool = True, **fields) -> Account:
    fields.setdefault("wechat_openid", f"o{uuid.uuid4().hex[:27]}")
    acct = Account(**fields)
    if consented:
        acct.privacy_policy_version, acct.privacy_consented_at = "2026-12", utcnow()
    db.session.add(acct)
    db.session.commit()
    return acct


def account_token(acct: Account) -> str:
    _, token = open_session(kind=PrincipalKind.ACCOUNT, channel="wechat", account_id=acct.id)
    db.session.commit()
    return token


def profile(acct: Account, relationship: str = "self", name: str = "测试者",
            birth: date = date(1980, 1, 1), male: bool = True,
            phone: str | None = "13800000000") -> PatientProfile:
    number = resident_id(birth, male)
    index = current_app.extensions["blind_index"]
    row = PatientProfile(
        account_id=acct.id, relationship=relationship, name=name,
        sex="male" if male else "female", birth_date=birth, document_type="resident_id",
        document_number=number, document_index=index.digest(number, "document"),
        phone=phone, phone_index=index.digest(phone, "phone") if phone else None)
    db.session.add(row)
    db.session.commit()
    return row


def organization(code: str | None = None, kind: str = "community_health_centre") -> Organization:
    code = code or f"T{next(_serial):04d}"
    org = Organization(code=code, name=f"测试机构{code}", kind=kind)
    db.session.add(org)
    db.session.commit()
    return org


def staff(org: Organization, role: str = "family_doctor", username: str | None = None,
          password: str = STAFF_PASSWORD) -> StaffUser:
    user = StaffUser(username=username or f"staff{next(_serial)}", display_name="测试医生",
                     role=role, organization_id=org.id, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def staff_token(user: StaffUser) -> str:
    _, token = open_session(kind=PrincipalKind.STAFF, channel="console", staff_id=user.id)
    db.session.commit()
    return token


def sign(doctor: StaffUser, resident: PatientProfile) -> SignedResident:
    contract = SignedResident(staff_id=doctor.id, patient_id=resident.id,
                              signed_on=date(2026, 1, 1))
    db.session.add(contract)
    db.session.commit()
    return contract


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wechat_code(simulators, openid: str | None = None) -> str:
    """Ask the WeChat simulator for a wx.login() code, as the mini-program would get one."""
    wechat = simulators.servers[0]
    body = {"appid": simulators.config["WECHAT_APP_ID"]}
    if openid:
        body["openid"] = openid
    response = requests.post(f"{wechat.url}/_sim/login-codes", json=body, timeout=5)
    response.raise_for_status()
    return response.json()["code"]


def alipay_code(simulators, user_id: str | None = None) -> str:
    alipay = simulators.servers[1]
    body = {"app_id": simulators.config["ALIPAY_APP_ID"]}
    if user_id:
        body["user_id"] = user_id
    response = requests.post(f"{alipay.url}/_sim/auth-codes", json=body, timeout=5)
    response.raise_for_status()
    return response.json()["auth_code"]
