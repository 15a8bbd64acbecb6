"""就诊人 (patient profiles) of an account: add, list, read, change, remove — all audited.

Identity (name, document, birth date, sex) is fixed once registered because bookings and
records hang on it; a mistake is corrected by removing the profile and adding it again.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from backend.auth import Principal
from backend.errors import Conflict, Forbidden, ValidationFailed
from backend.extensions import db
from backend.models import Account, PatientProfile, Relationship
from backend.security.identity_docs import (
    EARLIEST_BIRTH,
    DocumentError,
    DocumentType,
    normalize_document,
    normalize_mobile,
    parse_resident_id,
)
from backend.services import access, audit
from backend.timeutil import local_today, utcnow

log = logging.getLogger(__name__)

MAX_PROFILES_PER_ACCOUNT = 10
_DOC_KIND = "document"
_PHONE_KIND = "phone"
_NAME_KIND = "name"


def _index(value: str, kind: str) -> str:
    return current_app.extensions["blind_index"].digest(value, kind)


def _require_consent(account: Account) -> None:
    if account.privacy_consented_at is None:
        raise Forbidden("请先阅读并同意隐私政策。", code="consent_required")


def _identity(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the document and reconcile it with sex and birth date."""
    doc_type = DocumentType(data["document_type"])
    try:
        number = normalize_document(doc_type, data["document_number"], today=local_today())
    except DocumentError as exc:
        raise ValidationFailed(str(exc), field="document_number") from exc
    sex, birth_date = data.get("sex"), data.get("birth_date")
    if doc_type == DocumentType.RESIDENT_ID:
        resident = parse_resident_id(number, today=local_today())
        if sex and sex != resident.sex:
            raise ValidationFailed("性别与身份证号码不一致，请核对。", field="sex")
        if birth_date and birth_date != resident.birth_date:
            raise ValidationFailed("出生日期与身份证号码不一致，请核对。", field="birth_date")
        sex, birth_date = resident.sex, resident.birth_date
    if not sex:
        raise ValidationFailed("请选择性别。", field="sex")
    if not birth_date:
        raise ValidationFailed("请填写出生日期。", field="birth_date")
    if birth_date > local_today():
        raise ValidationFailed("出生日期不能晚于今天。", field="birth_date")
    if birth_date < EARLIEST_BIRTH:
        raise ValidationFailed("出生日期不正确，请核对证件。", field="birth_date")
    return {"document_type": doc_type.value, "document_number": number, "sex": sex,
            "birth_date": birth_date}


def _phone(raw: str | None) -> tuple[str | None, str | None]:
    if not raw:
        return None, None
    try:
        phone = normalize_mobile(raw)
    except DocumentError as exc:
        raise ValidationFailed(str(exc), field="phone") from exc
    return phone, _index(phone, _PHONE_KIND)


def list_profiles(principal: Principal) -> list[PatientProfile]:
    profiles = db.session.execute(
        access.visible_profiles(principal).order_by(PatientProfile.id)
    ).scalars().all()
    audit.record("profile.list", "account", principal.actor_external_id,
                 {"count": len(profiles)})
    db.session.commit()
    return list(profiles)


def profile_json(profile: PatientProfile) -> dict[str, Any]:
    """One 就诊人 as `ProfileSchema` dumps it, identifiers masked, built directly: reading a
    就诊人 is among the busiest requests and this shape needs no schema machinery
    (`test_profiles` checks it against the schema's answer in the list)."""
    return {"id": str(profile.external_id), "relationship": profile.relationship,
            "name": profile.name, "sex": profile.sex,
            "birth_date": profile.birth_date.isoformat(), "age": profile.age,
            "document_type": profile.document_type,
            "document_number_masked": profile.document_number_masked,
            "phone_masked": profile.phone_masked, "created_at": profile.created_at.isoformat()}


def get_profile(principal: Principal, external_id: str) -> PatientProfile:
    profile, number = access.load_profile_numbered(principal, external_id)
    audit.record("profile.read", "patient_profile", str(profile.external_id), number=number)
    db.session.commit()
    return profile


def add_profile(principal: Principal, data: dict[str, Any]) -> PatientProfile:
    account = db.session.get(Account, principal.account_id)
    _require_consent(account)
    identity = _identity(data)
    relationship = Relationship(data["relationship"])
    document_index = _index(identity["document_number"], _DOC_KIND)
    existing = db.session.execute(
        db.select(PatientProfile).where(PatientProfile.document_index == document_index)
    ).scalar_one_or_none()
    if existing is not None:
        return _restore_or_refuse(account, existing, data, relationship)
    active = [p for p in account.profiles if p.archived_at is None]
    if len(active) >= MAX_PROFILES_PER_ACCOUNT:
        raise Conflict(f"每个账户最多添加{MAX_PROFILES_PER_ACCOUNT}位就诊人。",
                       code="too_many_profiles")
    if relationship == Relationship.SELF and any(
            p.relationship == Relationship.SELF for p in active):
        raise Conflict("您已添加过本人信息。", code="self_profile_exists", field="relationship")
    phone, phone_index = _phone(data.get("phone"))
    profile = PatientProfile(account_id=account.id, relationship=relationship.value,
                             name=data["name"].strip(), phone=phone, phone_index=phone_index,
                             document_index=document_index, **identity)
    db.session.add(profile)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("该证件号已被添加，请勿重复提交。", code="document_already_registered",
                       field="document_number") from exc
    audit.record("profile.create", "patient_profile", str(profile.external_id),
                 {"relationship": relationship.value, "document_type": identity["document_type"]})
    db.session.commit()
    log.info("patient profile added", extra={"profile": str(profile.external_id)})
    return profile


def _same_name(existing: PatientProfile, given: str) -> bool:
    """Compare names through their blind index, in constant time: the answer must not leak
    through timing either."""
    return hmac.compare_digest(_index(existing.name, _NAME_KIND),
                               _index(given.strip(), _NAME_KIND))


def _restore_or_refuse(account: Account, existing: PatientProfile, data: dict[str, Any],
                       relationship: Relationship) -> PatientProfile:
    if existing.account_id != account.id:
        if not _same_name(existing, data["name"]):
            # Whoever only knows a number learns nothing about it: the same words as any
            # other refusal that needs a person at the window.
            log.info("profile refused: document registered elsewhere under another name")
            raise Conflict("无法添加，请到窗口办理。", code="cannot_add_profile")
        log.info("document already registered by another account")
        raise Conflict("该证件已被其他账户添加。如需帮助，请联系医院客服。",
                       code="document_registered_elsewhere", field="document_number")
    if existing.archived_at is None:
        raise Conflict("这位就诊人已经添加过了。", code="profile_exists",
                       field="document_number")
    if existing.name != data["name"].strip():
        raise ValidationFailed("姓名与之前登记的不一致，请核对。", field="name")
    existing.archived_at = None
    existing.relationship = relationship.value
    if data.get("phone"):
        existing.phone, existing.phone_index = _phone(data["phone"])
    audit.record("profile.restore", "patient_profile", str(existing.external_id))
    db.session.commit()
    return existing


def update_profile(principal: Principal, external_id: str, data: dict[str, Any]
                   ) -> PatientProfile:
    profile = access.load_profile(principal, external_id)
    changed = []
    if "relationship" in data and data["relationship"] != profile.relationship:
        if data["relationship"] == Relationship.SELF and any(
                p.relationship == Relationship.SELF and p.archived_at is None
                for p in profile.account.profiles):
            raise Conflict("您已添加过本人信息。", code="self_profile_exists",
                           field="relationship")
        profile.relationship = data["relationship"]
        changed.append("relationship")
    if "phone" in data:
        profile.phone, profile.phone_index = _phone(data["phone"])
        changed.append("phone")
    audit.record("profile.update", "patient_profile", str(profile.external_id),
                 {"fields": changed})
    db.session.commit()
    return profile


def remove_profile(principal: Principal, external_id: str) -> None:
    profile = access.load_profile(principal, external_id)
    profile.archived_at = utcnow()
    audit.record("profile.archive", "patient_profile", str(profile.external_id))
    db.session.commit()
