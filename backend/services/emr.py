"""Delivering confirmed pre-visit notes to the hospital EMR, exactly once, even through outages.

A delivery row (the outbox) is written with the note. A worker claims it with a lease, maps the
note to FHIR and POSTs it with no database transaction open, then records the outcome. Failures
back off exponentially with jitter for up to EMR_RETRY_HOURS; a refused bundle, or one still
undelivered at the deadline, is dead-lettered with an alert for the hospital's admins. A worker
killed mid-delivery leaves a lease that expires; the retry is harmless because every entry is a
conditional create on its identifier.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from backend.extensions import db
from backend.interop.emr_client import DeliveryResult, EmrEndpoint
from backend.interop.fhir import (
    NoteForExchange,
    OrganizationInfo,
    PatientInfo,
    note_to_bundle,
)
from backend.models import (
    AdminAlert,
    ConversationSession,
    EmrDelivery,
    Organization,
    PatientProfile,
    PreVisitNote,
)
from backend.services import audit
from backend.timeutil import utcnow
from conversations.knowledge import default_knowledge

log = logging.getLogger(__name__)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
ENCOUNTER_NAMESPACE = uuid.UUID("6f1c4a52-3b53-4f7e-9a55-2c0f3e1b7a10")


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempt: int
    note_id: int


def queue_delivery(note: PreVisitNote, organization_id: int | None) -> EmrDelivery:
    """Add the outbox row to the caller's transaction (the one that confirms the note)."""
    now = utcnow()
    delivery = EmrDelivery(note_id=note.id, organization_id=organization_id, status="pending",
                           attempts=0, next_attempt_at=now, retry_until=now + _retry_window())
    db.session.add(delivery)
    return delivery


def endpoint() -> EmrEndpoint | None:
    config = current_app.config
    if not config["EMR_FHIR_BASE_URL"]:
        return None
    return EmrEndpoint(base_url=config["EMR_FHIR_BASE_URL"],
                       bearer_token=config["EMR_BEARER_TOKEN"],
                       client_cert=config["EMR_CLIENT_CERT"], client_key=config["EMR_CLIENT_KEY"],
                       ca_bundle=config["EMR_CA_BUNDLE"], timeout=config["EMR_TIMEOUT_SECONDS"],
                       sm2_private_key=config["EMR_SM2_PRIVATE_KEY"],
                       sm2_public_key=config["EMR_SM2_PUBLIC_KEY"])


def _retry_window() -> timedelta:
    return timedelta(hours=current_app.config["EMR_RETRY_HOURS"])


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["EMR_TIMEOUT_SECONDS"] * 2 + 30)


def due_ids(limit: int = 500) -> list[int]:
    now = utcnow()
    return list(db.session.execute(
        select(EmrDelivery.id).where(or_(
            and_(EmrDelivery.status == "pending", EmrDelivery.next_attempt_at <= now),
            and_(EmrDelivery.status == "delivering", EmrDelivery.lease_until < now)))
        .order_by(EmrDelivery.next_attempt_at).limit(limit)).scalars())


def claim(delivery_id: int) -> Claim | None:
    """Lease the delivery to this worker, or None if it is not due (or another worker has it)."""
    now = utcnow()
    delivery = db.session.execute(
        select(EmrDelivery).where(EmrDelivery.id == delivery_id)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    due = delivery is not None and (
        (delivery.status == "pending" and delivery.next_attempt_at <= now)
        or (delivery.status == "delivering" and delivery.lease_until
            and delivery.lease_until < now))
    if not due:
        db.session.rollback()
        return None
    delivery.status, delivery.attempts = "delivering", delivery.attempts + 1
    delivery.lease_until = now + _lease()
    result = Claim(delivery.id, delivery.attempts, delivery.note_id)
    db.session.commit()
    return result


def encounter_id(conversation: ConversationSession) -> str:
    return str(uuid.uuid5(ENCOUNTER_NAMESPACE, str(conversation.external_id)))


def exchange_for(note: PreVisitNote) -> NoteForExchange:
    """Everything the FHIR mapping needs about a note, read from the database."""
    conversation = db.session.get(ConversationSession, note.session_id)
    profile = db.session.get(PatientProfile, note.patient_id)
    organization = db.session.get(Organization, conversation.organization_id) \
        if conversation.organization_id else None
    share_id = current_app.config["EMR_SHARE_ID_NUMBER"]
    supersedes = db.session.get(PreVisitNote, note.supersedes_id) if note.supersedes_id else None
    red_flag = None
    if conversation.red_flag_rule:
        names = {rule.id: rule.name for rule in default_knowledge().red_flags}
        red_flag = {"rule": conversation.red_flag_rule,
                    "name": names.get(conversation.red_flag_rule, conversation.red_flag_rule),
                    "words": list(conversation.red_flag_words or [])}
    return NoteForExchange(
        note_id=str(note.external_id), version=note.version,
        supersedes_id=str(supersedes.external_id) if supersedes else None,
        conversation_id=str(conversation.external_id), confirmed_at=note.confirmed_at,
        narrative=note.narrative, slots=list(note.slots), red_flag=red_flag,
        patient=PatientInfo(
            id=str(profile.external_id), name=profile.name, sex=profile.sex,
            birth_date=profile.birth_date,
            document_type=profile.document_type if share_id else None,
            document_number=profile.document_number if share_id else None),
        organization=OrganizationInfo(id=str(organization.external_id), code=organization.code,
                                      name=organization.name) if organization else None,
        encounter_id=encounter_id(conversation))


def bundle_for_note(note_id: int) -> dict[str, Any]:
    return note_to_bundle(exchange_for(db.session.get(PreVisitNote, note_id)),
                          default_knowledge())


def _backoff(attempt: int) -> timedelta:
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    return ceiling * random.uniform(0.5, 1.0)  # equal jitter: spread retries after an outage


def record(claimed: Claim, result: DeliveryResult) -> str:
    """Store the outcome of one attempt; returns the delivery's new status."""
    delivery = db.session.execute(
        select(EmrDelivery).where(EmrDelivery.id == claimed.delivery_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    if delivery.status != "delivering" or delivery.attempts != claimed.attempt:
        db.session.rollback()  # our lease expired and another worker took over
        return delivery.status
    now = utcnow()
    delivery.last_status_code, delivery.last_error = result.status_code, result.detail
    delivery.lease_until = None
    deadline = delivery.retry_until
    if result.outcome == "delivered":
        delivery.status, delivery.delivered_at = "delivered", now
        audit.record("emr.delivered", "pre_visit_note", str(delivery.note.external_id),
                     {"attempts": delivery.attempts}, actor_kind="system", actor_id="emr-outbox")
    elif result.outcome == "permanent" or now + _backoff(delivery.attempts) > deadline:
        _dead_letter(delivery, result, now)
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = now + _backoff(delivery.attempts)
    db.session.commit()
    log.info("emr delivery attempt", extra={"delivery": delivery.id, "attempt": claimed.attempt,
                                            "outcome": result.outcome, "status": delivery.status,
                                            "http_status": result.status_code})
    return delivery.status


def _dead_letter(delivery: EmrDelivery, result: DeliveryResult, now) -> None:
    delivery.status, delivery.dead_at = "dead", now
    note_id = str(delivery.note.external_id)
    db.session.add(AdminAlert(
        organization_id=delivery.organization_id, kind="emr_dead_letter", subject_id=note_id,
        message=f"预问诊记录未能送达EMR（{result.detail}），已尝试{delivery.attempts}次，请处理后重新发送。"
        [:500]))
    audit.record("emr.dead_letter", "pre_visit_note", note_id,
                 {"attempts": delivery.attempts, "status": result.status_code},
                 actor_kind="system", actor_id="emr-outbox")
    log.error("emr delivery dead-lettered", extra={"delivery": delivery.id, "note": note_id,
                                                   "detail": result.detail})


def mapping_failed(claimed: Claim, error: Exception) -> None:
    """A note we cannot map is a bug: dead-letter it loudly instead of retrying for 72 hours."""
    delivery = db.session.get(EmrDelivery, claimed.delivery_id)
    _dead_letter(delivery, DeliveryResult("permanent", None, f"mapping error: {error}"),
                 utcnow())
    db.session.commit()


def redrive(delivery_ids: list[int] | None = None) -> int:
    """Put dead deliveries (all, or the given ones) back in the queue; returns how many."""
    query = select(EmrDelivery).where(EmrDelivery.status == "dead")
    if delivery_ids is not None:
        query = query.where(EmrDelivery.id.in_(delivery_ids))
    rows = list(db.session.execute(query.with_for_update()).scalars())
    now = utcnow()
    for delivery in rows:
        delivery.status, delivery.next_attempt_at, delivery.dead_at = "pending", now, None
        delivery.attempts, delivery.retry_until = 0, now + _retry_window()
        audit.record("emr.redrive", "pre_visit_note", str(delivery.note.external_id),
                     actor_kind="system", actor_id="emr-redrive")
    db.session.commit()
    return len(rows)


def delivery_state(note: PreVisitNote) -> str:
    status = db.session.execute(select(EmrDelivery.status).where(
        EmrDelivery.note_id == note.id)).scalar_one_or_none()
    return "delivered" if status == "delivered" else "waiting"
