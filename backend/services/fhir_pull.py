"""Pull as well as push: EMRs that fetch at the doctor's click get the same Bundles.

A staff member sees the notes of conversations held at their own organization, and (family
doctors) the notes of residents signed to them. Every read is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select

from backend.auth import Principal
from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.models import ConversationSession, PatientProfile, PreVisitNote
from backend.services import access, audit, emr
from backend.timeutil import utcnow

SEARCH_LIMIT = 50


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValidationFailed("参数格式不正确。", field=field) from exc


def _visible_notes(principal: Principal):
    signed = access.visible_profiles(principal).with_only_columns(PatientProfile.id)
    return (select(PreVisitNote).join(ConversationSession,
                                      ConversationSession.id == PreVisitNote.session_id)
            .where(or_(ConversationSession.organization_id == principal.organization_id,
                       PreVisitNote.patient_id.in_(signed))))


def search(principal: Principal, patient: str | None, encounter: str | None) -> dict[str, Any]:
    """A searchset Bundle of the notes' transaction Bundles, newest first."""
    if not patient and not encounter:
        raise ValidationFailed("请指定 patient 或 encounter。", field="patient")
    query = _visible_notes(principal)
    if patient:
        profile_id = select(PatientProfile.id).where(
            PatientProfile.external_id == _uuid(patient, "patient")).scalar_subquery()
        query = query.where(PreVisitNote.patient_id == profile_id)
    notes = list(db.session.execute(
        query.order_by(PreVisitNote.confirmed_at.desc()).limit(SEARCH_LIMIT * 4)).scalars())
    if encounter:
        wanted = str(_uuid(encounter, "encounter"))
        notes = [n for n in notes if emr.encounter_id(n.session) == wanted]
    notes = notes[:SEARCH_LIMIT]
    bundles = [emr.bundle_for_note(note.id) for note in notes]
    audit.record("fhir.search", "pre_visit_note", None,
                 {"patient": patient, "encounter": encounter, "count": len(bundles)})
    db.session.commit()
    return {"resourceType": "Bundle", "type": "searchset", "total": len(bundles),
            "timestamp": utcnow().isoformat(),
            "entry": [{"resource": bundle, "search": {"mode": "match"}} for bundle in bundles]}


def read(principal: Principal, note_id: str) -> dict[str, Any]:
    note = db.session.execute(_visible_notes(principal).where(
        PreVisitNote.external_id == _uuid(note_id, "id"))).scalar_one_or_none()
    if note is None:
        raise NotFound("没有找到这份记录。")
    bundle = emr.bundle_for_note(note.id)
    audit.record("fhir.read", "pre_visit_note", str(note.external_id))
    db.session.commit()
    return bundle
