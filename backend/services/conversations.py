"""Conversations with the assistant: start, message, resume, review and confirm the note.

The dialogue itself is `conversations.Assistant` (pure); this module loads and saves its state,
serialises messages per session with a row lock, records red flags, and turns a confirmed
review into an immutable `PreVisitNote` (amendments are new versions).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    ConversationSession,
    Department,
    Organization,
    PatientProfile,
    PreVisitNote,
)
from backend.security.identifiers import mask_identifiers
from backend.security.masking import mask_text
from backend.services import access, audit
from backend.services.vaccination import assistant as vaccination_assistant
from backend.timeutil import age_on, local_today, utcnow
from conversations.department_model import default_model as default_department_model
from conversations.dialogue import Assistant, Turn
from conversations.emergency_model import default_model as default_emergency_model
from conversations.knowledge import default_knowledge
from conversations.llm.base import GuardedModel
from conversations.llm.base import create as create_model
from conversations.model_assist import make_model_helper
from conversations.state import DialogueState, PatientContext

log = logging.getLogger(__name__)
MAX_TURNS = 120
CARRIED_OVER = ("past.chronic_diseases", "past.operations", "past.infectious_diseases",
                "past.trauma", "past.transfusion", "allergy.drugs", "allergy.foods",
                "family.history", "personal.smoking", "personal.alcohol", "personal.occupation")


def assistant() -> Assistant:
    """The app's assistant, built on first use (loading the knowledge files takes a moment)."""
    holder = current_app.extensions.setdefault("assistant", {})
    if "instance" not in holder:
        knowledge = default_knowledge()
        model = language_model(current_app.config)
        helper = make_model_helper(model, knowledge.lexicon) if not model.offline else None
        holder["instance"] = Assistant(knowledge, model_helper=helper,
                                       emergency_model=default_emergency_model(),
                                       department_model=default_department_model())
    return holder["instance"]


def language_model(config: Mapping[str, Any]) -> GuardedModel:
    """The configured model behind the masker and circuit breaker ("rules": none at all)."""
    provider = config["LLM_PROVIDER"]
    settings: dict[str, Any] = {}
    if provider != "rules":
        settings = {"api_key": config["LLM_API_KEY"], "model": config["LLM_MODEL"],
                    "base_url": config["LLM_BASE_URL"] or None,
                    "timeout": config["LLM_TIMEOUT_SECONDS"]}
    return GuardedModel(create_model(provider, **settings), mask_text,
                        timeout=config["LLM_TIMEOUT_SECONDS"])


def turn_view(turn: Turn) -> dict[str, Any]:
    triage = turn.triage
    return {
        "text": turn.text, "quick_replies": turn.quick_replies, "hint": turn.hint,
        "stage": turn.stage, "question": turn.question, "done": turn.done,
        "red_flag": ({"rule": turn.red_flag.rule_id, "name": turn.red_flag.name,
                      "advice": turn.red_flag.advice, "words": turn.red_flag.words,
                      "level": turn.red_flag.level}
                     if turn.red_flag else None),
        "triage": ([{"code": r.code, "name": r.name, "confidence": r.confidence,
                     "reason": r.reason} for r in triage.recommendations] if triage else None),
        "triage_uncertain": triage.uncertain if triage else None,
    }


def _departments(organization: Organization | None) -> dict[str, str] | None:
    if organization is None:
        return None
    rows = db.session.execute(select(Department.code, Department.name).where(
        Department.organization_id == organization.id)).all()
    return {code: name for code, name in rows}


def _known_facts(patient_id: int) -> dict[str, tuple[Any, str]]:
    """Facts from the patient's latest confirmed note, offered for confirmation, not re-asked."""
    note = db.session.execute(
        select(PreVisitNote).where(PreVisitNote.patient_id == patient_id)
        .order_by(PreVisitNote.confirmed_at.desc()).limit(1)
    ).scalar_one_or_none()
    if note is None:
        return {}
    return {slot["key"]: (slot["value"], slot["words"]) for slot in note.slots
            if slot["key"] in CARRIED_OVER and slot["value"] not in (None, "跳过", "不详")}


def start(principal: Principal, patient_id: str, mode: str, hospital_id: str | None
          ) -> ConversationSession:
    profile = access.load_profile(principal, patient_id)
    organization = None
    if hospital_id:
        organization = db.session.execute(select(Organization).where(
            Organization.external_id == access.parse_id(hospital_id))).scalar_one_or_none()
        if organization is None:
            raise ValidationFailed("没有找到这家医院。", field="hospital_id")
    age = age_on(profile.birth_date, local_today())
    months = (local_today().year - profile.birth_date.year) * 12 + (
        local_today().month - profile.birth_date.month)
    patient = PatientContext(age_years=age, sex=profile.sex,
                             age_months=months if age < 2 else None)
    state, turn = assistant().start(mode, patient, _known_facts(profile.id))
    session = ConversationSession(account_id=profile.account_id, patient_id=profile.id,
                                  organization_id=organization.id if organization else None,
                                  mode=mode, stage=state.stage, state=state.to_dict(),
                                  last_turn=turn_view(turn), version=1)
    db.session.add(session)
    db.session.flush()
    audit.record("conversation.start", "conversation", str(session.external_id),
                 {"mode": mode, "patient": str(profile.external_id)})
    db.session.commit()
    return session


def load_session(principal: Principal, session_id: str, lock: bool = False) -> ConversationSession:
    query = select(ConversationSession).where(
        ConversationSession.external_id == access.parse_id(session_id),
        ConversationSession.account_id == principal.account_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    session = db.session.execute(query).scalar_one_or_none()
    if session is None:
        raise NotFound("没有找到这次对话。")
    return session


def get(principal: Principal, session_id: str) -> ConversationSession:
    session = load_session(principal, session_id)
    audit.record("conversation.read", "conversation", str(session.external_id))
    db.session.commit()
    return session


def list_for(principal: Principal, patient_id: str | None, unfinished_only: bool
             ) -> list[ConversationSession]:
    query = select(ConversationSession).where(
        ConversationSession.account_id == principal.account_id)
    if patient_id:
        query = query.where(ConversationSession.patient_id == access.load_profile(
            principal, patient_id).id)
    if unfinished_only:
        query = query.where(ConversationSession.finished_at.is_(None))
    sessions = list(db.session.execute(
        query.order_by(ConversationSession.updated_at.desc()).limit(20)).scalars())
    audit.record("conversation.list", "account", principal.actor_external_id,
                 {"count": len(sessions)})
    db.session.commit()
    return sessions


def send(principal: Principal, session_id: str, text: str) -> tuple[ConversationSession, Turn]:
    session = load_session(principal, session_id, lock=True)
    state = DialogueState.from_dict(session.state)
    if state.turn >= MAX_TURNS:
        raise Conflict("这次对话已经很长了，请重新开始一次。", code="conversation_too_long")
    # Identifiers typed into the chat are masked before the assistant or the transcript sees them.
    typed = mask_identifiers(text)
    unclear = state.unclear
    turn = assistant().reply(state, typed.text, _departments(_organization(session)))
    turn = vaccination_assistant.with_schedule_answer(
        db.session.get(PatientProfile, session.patient_id), typed.text, state, turn, unclear)
    save_state(session, state, turn)
    detail: dict[str, Any] = {"turn": state.turn, "stage": state.stage}
    if typed.found:
        detail["identifiers_masked"] = sorted(set(typed.found))
    audit.record("conversation.message", "conversation", str(session.external_id), detail)
    flag = turn.red_flag
    if flag and flag.level == "screen":
        # A screening question (passive ideation) is asked, not an emergency: logged for review.
        audit.record("conversation.screening", "conversation", str(session.external_id),
                     {"rule": flag.rule_id, "words": flag.words})
    elif flag:
        session.red_flag_rule, session.red_flag_words = flag.rule_id, flag.words
        audit.record("conversation.red_flag", "conversation", str(session.external_id),
                     {"rule": flag.rule_id, "words": flag.words, "level": flag.level})
        log.warning("red flag raised", extra={"conversation": str(session.external_id),
                                              "rule": flag.rule_id, "level": flag.level})
    db.session.commit()
    return session, turn


def _organization(session: ConversationSession) -> Organization | None:
    return db.session.get(Organization, session.organization_id) if session.organization_id \
        else None


def save_state(session: ConversationSession, state: DialogueState, turn: Turn) -> None:
    session.state = state.to_dict()
    session.stage = state.stage
    session.last_turn = turn_view(turn)
    session.version += 1
    if state.finished and session.finished_at is None:
        session.finished_at = utcnow()
    elif not state.finished:  # a pre-visit interview goes on after a *possible* emergency
        session.finished_at = None


def draft_note(principal: Principal, session_id: str) -> dict[str, Any]:
    session = load_session(principal, session_id)
    note = assistant().note(DialogueState.from_dict(session.state))
    audit.record("note.draft_read", "conversation", str(session.external_id))
    db.session.commit()
    return {"slots": [vars(slot) for slot in note.slots], "narrative": note.narrative,
            "sections": note.sections}
