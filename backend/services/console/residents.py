"""Finding a resident: by name, full or last four of the ID number, mobile or its last four.

Identifiers are ciphertext at rest, so numbers are found through blind indexes only (the full
number's, or the last four digits'); nothing is decrypted to search. Only the residents the
staff member may see are searched (`access.visible_profiles`). The audit entry says how the
search was made and how many were found, never what was typed.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Select, func, or_, select

from backend.auth import Principal
from backend.errors import ValidationFailed
from backend.extensions import db
from backend.models import PatientProfile, SignedResident, StaffRole, StaffUser
from backend.models.account import tail_digest
from backend.security.identity_docs import normalize_mobile
from backend.services import audit
from backend.services.access import visible_profiles
from backend.services.console import resident_filters
from backend.services.console.resident_filters import ResidentFilters

PER_PAGE = 20
# Counting a million rows costs more than the page itself: past this many, the list says
# "more than" and asks for a narrower search (and pages stop there).
COUNT_CAP = 1_000
MAX_QUERY = 40
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
_MOBILE = re.compile(r"^1\d{10}$")
# "1234", "尾号1234", or a masked ID / phone as the console shows it (110***********1234).
_LAST_CHAR = "\U0010ffff"  # sorts after every character in a code-point ordered collation
_TAIL = re.compile(r"^(?:尾号)?(?:[\dXx]*\*+)?(\d{3}[\dXx])$")


@dataclass
class ResidentPage:
    items: list[PatientProfile]
    total: int
    page: int
    pages: int
    searched_by: str
    doctors: dict[int, list[str]] = field(default_factory=dict)
    capped: bool = False


def _by_text(query: Select, text: str) -> tuple[Select, str]:
    index = current_app.extensions["blind_index"]
    compact = "".join(text.split())
    if _ID_NUMBER.match(compact):
        return query.where(PatientProfile.document_index
                           == index.digest(compact.upper(), "document")), "id_number"
    if _MOBILE.match(compact):
        return query.where(PatientProfile.phone_index
                           == index.digest(normalize_mobile(compact), "phone")), "phone"
    tail = _TAIL.match(compact)
    if tail:
        digits = tail.group(1).upper()
        return query.where(or_(
            PatientProfile.document_tail_index == tail_digest(digits, "document_tail"),
            PatientProfile.phone_tail_index == tail_digest(digits, "phone_tail"))), "tail"
    # Names match from the start (姓 first: 王, 王秀, 王秀英). The range lets the name index
    # find them among a million residents under any plan; LIKE keeps the match exact.
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return query.where(PatientProfile.name >= text, PatientProfile.name < text + _LAST_CHAR,
                       PatientProfile.name.like(f"{escaped}%", escape="\\")), "name"


def _by_doctor(principal: Principal, query: Select, doctor_id: str) -> Select:
    doctor = db.session.execute(select(StaffUser.id).where(
        StaffUser.external_id == _uuid(doctor_id),
        StaffUser.organization_id == principal.organization_id,
        StaffUser.role == StaffRole.FAMILY_DOCTOR)).scalar_one_or_none()
    if doctor is None:
        raise ValidationFailed("没有这位签约医生。", field="doctor")
    return query.where(PatientProfile.id.in_(
        select(SignedResident.patient_id).where(SignedResident.staff_id == doctor)))


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise ValidationFailed("没有这位签约医生。", field="doctor") from exc


def search(principal: Principal, text: str, filters: ResidentFilters, page: int
           ) -> ResidentPage:
    text = text.strip()
    if len(text) > MAX_QUERY:
        raise ValidationFailed(f"搜索内容最多{MAX_QUERY}个字。", field="q")
    query, searched_by = visible_profiles(principal), "all"
    if text:
        query, searched_by = _by_text(query, text)
    if filters.doctor_id:
        query = _by_doctor(principal, query, filters.doctor_id)
    if filters.by_programme_file:
        query = query.where(resident_filters.condition(filters))
    total = db.session.execute(select(func.count()).select_from(
        query.with_only_columns(PatientProfile.id).limit(COUNT_CAP + 1).subquery())
    ).scalar_one()
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(page, 1), pages)
    rows = list(db.session.execute(query.order_by(_name_order(principal), PatientProfile.id)
                                   .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).scalars())
    audit.record("resident.search", "staff", principal.actor_external_id,
                 {"by": searched_by, "filters": filters.in_use(),
                  "count": len(rows), "total": total, "capped": capped, "page": page})
    db.session.commit()
    return ResidentPage(rows, total, page, pages, searched_by,
                        signed_doctors([r.id for r in rows]), capped)


def _name_order(principal: Principal):
    """A family doctor's few thousand residents are sorted after they are found: walking the
    name index of a million residents for them is slower (measured by `python -m bench
    console`), so the sort key is an expression the index does not serve. An admin's list,
    a large share of everyone, does walk the index."""
    if principal.role == StaffRole.FAMILY_DOCTOR:
        return PatientProfile.name.op("||")("")
    return PatientProfile.name


def signed_doctors(patient_ids: list[int]) -> dict[int, list[str]]:
    if not patient_ids:
        return {}
    doctors: dict[int, list[str]] = {}
    for patient_id, name in db.session.execute(
            select(SignedResident.patient_id, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == SignedResident.staff_id)
            .where(SignedResident.patient_id.in_(patient_ids))):
        doctors.setdefault(patient_id, []).append(name)
    return doctors


def family_doctors(principal: Principal) -> list[StaffUser]:
    """The family doctors an admin may filter by (their own organization's)."""
    if principal.role != StaffRole.HOSPITAL_ADMIN:
        return []
    return list(db.session.execute(select(StaffUser).where(
        StaffUser.organization_id == principal.organization_id,
        StaffUser.role == StaffRole.FAMILY_DOCTOR, StaffUser.is_active.is_(True))
        .order_by(StaffUser.display_name)).scalars())
