"""Pre-visit notes (预问诊记录) for the hospital doctors of a clinic, for today's patients.

A note is shown when its patient has a confirmed (or checked-in, or seen) booking today in the
doctor's own department, and was confirmed in the fortnight before: the latest version of the
latest conversation. Red flags come first, then the order of the appointments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.extensions import db
from backend.models import (
    Booking,
    BookingStatus,
    ConversationSession,
    Department,
    PatientProfile,
    PreVisitNote,
    Slot,
    StaffUser,
)
from backend.services import audit
from backend.timeutil import local_today, utcnow
from conversations.knowledge import default_knowledge

NOTE_WINDOW_DAYS = 14
SHOWN_BOOKINGS = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.COMPLETED)


@dataclass
class NoteCard:
    note: PreVisitNote
    patient: PatientProfile
    starts_at: datetime
    queue_number: int | None
    red_flag: dict[str, Any] | None
    slots: list[dict[str, Any]]


def department_name(principal: Principal) -> str | None:
    staff = db.session.get(StaffUser, principal.staff_id)
    if not staff.department_code:
        return None
    return db.session.execute(select(Department.name).where(
        Department.organization_id == principal.organization_id,
        Department.code == staff.department_code)).scalar_one_or_none()


def cards_for(principal: Principal) -> list[NoteCard]:
    staff = db.session.get(StaffUser, principal.staff_id)
    if not staff.department_code:
        return []
    bookings = db.session.execute(
        select(Booking, Slot.starts_at).join(Slot, Slot.id == Booking.slot_id)
        .join(Department, Department.id == Booking.department_id)
        .where(Booking.organization_id == principal.organization_id,
               Department.code == staff.department_code,
               Booking.clinic_date == local_today(),
               Booking.status.in_([s.value for s in SHOWN_BOOKINGS]))
        .order_by(Slot.starts_at, Booking.queue_number)).all()
    if not bookings:
        return []
    first = {}
    for booking, starts_at in bookings:
        first.setdefault(booking.patient_id, (booking, starts_at))
    notes = _latest_notes(list(first))
    names = {rule.id: rule.name for rule in default_knowledge().red_flags}
    cards = []
    for patient_id, (booking, starts_at) in first.items():
        found = notes.get(patient_id)
        if found is None:
            continue
        note, conversation = found
        rule = note.red_flag_rule or conversation.red_flag_rule
        red_flag = {"name": names.get(rule, rule),
                    "words": list(conversation.red_flag_words or [])} if rule else None
        cards.append(NoteCard(note, booking.patient, starts_at, booking.queue_number, red_flag,
                              [s for s in note.slots if s.get("display")]))
    cards.sort(key=lambda c: (c.red_flag is None, c.starts_at))
    return cards


def _latest_notes(patient_ids: list[int]) -> dict[int, tuple[PreVisitNote, ConversationSession]]:
    since = utcnow() - timedelta(days=NOTE_WINDOW_DAYS)
    rows = db.session.execute(
        select(PreVisitNote, ConversationSession)
        .join(ConversationSession, ConversationSession.id == PreVisitNote.session_id)
        .where(PreVisitNote.patient_id.in_(patient_ids), PreVisitNote.confirmed_at >= since)
        .order_by(PreVisitNote.confirmed_at.desc(), PreVisitNote.version.desc())).all()
    latest: dict[int, tuple[PreVisitNote, ConversationSession]] = {}
    for note, conversation in rows:
        latest.setdefault(note.patient_id, (note, conversation))
    return latest


def today_for(principal: Principal) -> list[NoteCard]:
    """The page's read: every note shown is named in the audit entry."""
    cards = cards_for(principal)
    audit.record("note.list", "staff", principal.actor_external_id,
                 {"view": "console.previsit", "count": len(cards),
                  "notes": [str(c.note.external_id) for c in cards]})
    db.session.commit()
    return cards
