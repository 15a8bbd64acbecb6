"""Health education at the moments that matter (a new abnormal reading, an enrolment, a
follow-up's class): items picked by `content.matching`, stored so none repeats, pushed through
the message outbox to residents who use the mini-program, and their reads tracked."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.errors import NotFound
from backend.extensions import db
from backend.models import EducationDelivery, PatientMessage, PatientProfile, Resident
from backend.services import access, audit
from backend.services.access import parse_id
from backend.timeutil import utcnow
from content.library import Item, default_library
from content.matching import Person, Sent, pick

log = logging.getLogger(__name__)
PAGE = "followup/pages/vitals/index"


def offer(resident: Resident, findings: set[str], moment: str) -> list[Item]:
    """Pick and record items for this moment in the caller's transaction; returns them."""
    conditions = frozenset(e.programme for e in resident.enrolments if e.ended_on is None)
    if not conditions or not findings:
        return []
    now = utcnow()
    history = [Sent(item_id, at) for item_id, at in db.session.execute(
        select(EducationDelivery.item_id, EducationDelivery.delivered_at).where(
            EducationDelivery.resident_id == resident.id)).all()]
    picks = pick(Person(age=resident.age, sex=resident.sex, conditions=conditions),
                 frozenset(findings), history, now)
    account_id = db.session.execute(select(PatientProfile.account_id).where(
        PatientProfile.id == resident.patient_id, PatientProfile.archived_at.is_(None))
    ).scalar_one_or_none() if resident.patient_id else None
    for chosen in picks:
        delivery = EducationDelivery(resident_id=resident.id, item_id=chosen.item.id,
                                     moment=moment, why=chosen.why, delivered_at=now)
        db.session.add(delivery)
        db.session.flush()
        if account_id is not None:
            db.session.add(PatientMessage(
                dedupe_key=f"education:{delivery.external_id}", account_id=account_id,
                kind="education", status="pending", attempts=0,
                data={"title": chosen.item.title, "name": resident.name}))
    return [chosen.item for chosen in picks]


def fields(message: PatientMessage) -> dict[str, dict[str, str]]:
    values = {"thing1": message.data["name"][:20], "thing2": message.data["title"][:20],
              "thing3": "健康小知识，两分钟就能看完。"}
    return {key: {"value": value} for key, value in values.items()}


def item_view(item: Item) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "body": item.body, "topic": item.topic,
            "source": item.source, "video_url": item.video_url}


def _resident_of(principal: Principal, patient_id: Any) -> Resident:
    profile = access.load_profile(principal, patient_id)
    resident = db.session.execute(select(Resident).where(
        Resident.patient_id == profile.id)).scalar_one_or_none()
    if resident is None:
        raise NotFound("还没有给这位就诊人的健康知识。", code="not_enrolled")
    return resident


def list_for(principal: Principal, patient_id: Any) -> list[dict[str, Any]]:
    """What was offered to this resident, newest first (items withdrawn since are left out)."""
    resident = _resident_of(principal, patient_id)
    library = default_library().items
    rows = db.session.execute(select(EducationDelivery).where(
        EducationDelivery.resident_id == resident.id).order_by(
        EducationDelivery.delivered_at.desc(), EducationDelivery.id.desc()).limit(50)
    ).scalars().all()
    audit.record("education.list", "resident", str(resident.external_id), {"count": len(rows)})
    db.session.commit()
    return [{"id": row.external_id, "delivered_at": row.delivered_at, "read_at": row.read_at,
             "item": item_view(library[row.item_id])}
            for row in rows if row.item_id in library and library[row.item_id].reviewed]


def mark_read(principal: Principal, delivery_id: Any) -> dict[str, Any]:
    visible = access.visible_profiles(principal).with_only_columns(PatientProfile.id)
    row = db.session.execute(select(EducationDelivery).join(
        Resident, Resident.id == EducationDelivery.resident_id).where(
        EducationDelivery.external_id == parse_id(delivery_id),
        Resident.patient_id.in_(visible))).scalar_one_or_none()
    if row is None:
        raise NotFound("没有找到这篇内容。")
    if row.read_at is None:
        row.read_at = utcnow()
        audit.record("education.read", "resident", None, {"item": row.item_id})
    db.session.commit()
    return {"id": row.external_id, "delivered_at": row.delivered_at, "read_at": row.read_at,
            "item": item_view(default_library().items[row.item_id])}
