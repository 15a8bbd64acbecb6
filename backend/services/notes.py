"""Confirming and amending pre-visit notes (预问诊记录).

A note is written once, when the patient confirms the review; it never changes silently after
that. A correction is an amendment: a new version that points at the one it supersedes.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import func, select

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.interop.fhir import question_keys
from backend.jobs import enqueue
from backend.jobs.emr import deliver_note
from backend.models import ConversationSession, EmrDelivery, PreVisitNote
from backend.security.identifiers import mask_identifiers
from backend.services import audit, emr
from backend.services.access import parse_id
from backend.services.conversations import assistant, load_session, save_state
from backend.timeutil import utcnow
from conversations.dialogue import Turn
from conversations.facts import set_fact
from conversations.knowledge import default_knowledge
from conversations.state import DialogueState

log = logging.getLogger(__name__)
EDITABLE_KEY = re.compile(
    r"^(chief_complaint|present_illness|past|personal|family|allergy|obstetric|paediatric)"
    r"\.[a-z_]+(\.[a-z_]+)?$")


def _apply_edits(state: DialogueState, edits: list[dict[str, Any]]) -> None:
    known_keys = question_keys(default_knowledge())
    for index, edit in enumerate(edits):
        # The note goes to the doctor's EMR: an identifier typed into it is masked like in chat.
        key, value = edit["key"], mask_identifiers(edit["value"]).text
        if not EDITABLE_KEY.match(key) or key == "chief_complaint.symptom" \
                or key not in known_keys:
            raise ValidationFailed("这一项不能在这里修改。", field=f"edits.{index}.key")
        set_fact(state, key, value, value if isinstance(value, str) else "、".join(value),
                 source="patient_edit")


def _write(session: ConversationSession, state: DialogueState, version: int,
           supersedes: PreVisitNote | None, reason: str | None) -> PreVisitNote:
    note = assistant().note(state)
    row = PreVisitNote(session_id=session.id, patient_id=session.patient_id, version=version,
                       supersedes_id=supersedes.id if supersedes else None,
                       slots=[vars(slot) for slot in note.slots], narrative=note.narrative,
                       red_flag_rule=session.red_flag_rule,
                       amendment_reason=mask_identifiers(reason).text if reason else None,
                       confirmed_at=utcnow())
    db.session.add(row)
    db.session.flush()
    emr.queue_delivery(row, session.organization_id)  # the outbox row commits with the note
    return row


def _send_to_emr(note: PreVisitNote) -> None:
    """After the commit: try now; the dispatcher retries whatever this does not deliver."""
    delivery = db.session.execute(select(EmrDelivery.id).where(
        EmrDelivery.note_id == note.id)).scalar_one()
    try:
        enqueue(deliver_note, delivery, queue="emr")
    except Exception:  # Redis down: the note is safe in the outbox; the dispatcher will send it
        log.warning("could not enqueue emr delivery now", extra={"note": str(note.external_id)})


def confirm(principal: Principal, session_id: str, edits: list[dict[str, Any]]
            ) -> PreVisitNote:
    session = load_session(principal, session_id, lock=True)
    if session.mode != "pre_consultation":
        raise Conflict("导诊对话没有预问诊记录。", code="not_a_pre_consultation")
    existing = db.session.execute(select(PreVisitNote).where(
        PreVisitNote.session_id == session.id).order_by(PreVisitNote.version)).scalars().first()
    if existing is not None:
        if edits:
            raise Conflict("记录已经确认过了，如需修改请提交更正。", code="note_already_confirmed")
        return existing  # a double tap on "确认" confirms once
    state = DialogueState.from_dict(session.state)
    if state.facts.get("chief_complaint.symptom") is None:
        raise Conflict("还没有说清楚哪里不舒服，暂时不能生成记录。", code="note_incomplete")
    _apply_edits(state, edits)
    assistant().finish_review(state)
    save_state(session, state, Turn(text="好的，预问诊记录已确认。", stage="done"))
    note = _write(session, state, 1, None, None)
    audit.record("note.confirm", "pre_visit_note", str(note.external_id),
                 {"conversation": str(session.external_id), "edits": len(edits)})
    db.session.commit()
    log.info("pre-visit note confirmed", extra={"note": str(note.external_id)})
    _send_to_emr(note)
    return note


def _load_note(principal: Principal, note_id: str) -> PreVisitNote:
    note = db.session.execute(
        select(PreVisitNote).join(ConversationSession).where(
            PreVisitNote.external_id == parse_id(note_id),
            ConversationSession.account_id == principal.account_id)
    ).scalar_one_or_none()
    if note is None:
        raise NotFound("没有找到这份记录。")
    return note


def get(principal: Principal, note_id: str) -> PreVisitNote:
    note = _load_note(principal, note_id)
    audit.record("note.read", "pre_visit_note", str(note.external_id))
    db.session.commit()
    return note


def amend(principal: Principal, note_id: str, edits: list[dict[str, Any]], reason: str
          ) -> PreVisitNote:
    note = _load_note(principal, note_id)
    session = load_session(principal, str(note.session.external_id), lock=True)
    latest = db.session.execute(select(func.max(PreVisitNote.version)).where(
        PreVisitNote.session_id == session.id)).scalar_one()
    if note.version != latest:
        raise Conflict("这不是最新版本的记录，请刷新后再修改。", code="note_superseded")
    if not edits:
        raise ValidationFailed("请说明要修改的内容。", field="edits")
    state = DialogueState.from_dict(session.state)
    _apply_edits(state, edits)
    session.state = state.to_dict()
    amended = _write(session, state, latest + 1, note, reason)
    audit.record("note.amend", "pre_visit_note", str(amended.external_id),
                 {"supersedes": str(note.external_id), "edits": len(edits)})
    db.session.commit()
    _send_to_emr(amended)
    return amended
