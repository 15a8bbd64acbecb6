"""A dead-lettered result message taken again once its cause is fixed (the hospital code set
up, the interface corrected): stored through the same idempotent ingest, or refused again with
the new reason. The row stays, marked with when it was taken. Taking a message twice is
harmless (ingest is idempotent by accession), so a crash between the two commits loses nothing."""

from __future__ import annotations

import json

from sqlalchemy import or_, select

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.interop.fhir_results import FhirRefused, parse_bundle
from backend.interop.hl7_oru import Hl7Refused, parse_oru_text
from backend.models import InboundDeadLetter, Organization
from backend.services import audit
from backend.services.access import parse_id
from backend.services.reports.ingest import UnknownOrganization, ingest, organization_by_code
from backend.timeutil import utcnow


def list_open(principal: Principal, include_redriven: bool) -> list[InboundDeadLetter]:
    query = select(InboundDeadLetter).where(or_(
        InboundDeadLetter.organization_id == principal.organization_id,
        InboundDeadLetter.organization_id.is_(None)))
    if not include_redriven:
        query = query.where(InboundDeadLetter.redriven_at.is_(None))
    return list(db.session.execute(query.order_by(InboundDeadLetter.created_at.desc())
                                   .limit(200)).scalars())


def redrive(principal: Principal, letter_id) -> InboundDeadLetter:
    letter = db.session.execute(select(InboundDeadLetter).where(
        InboundDeadLetter.external_id == parse_id(letter_id),
        or_(InboundDeadLetter.organization_id == principal.organization_id,
            InboundDeadLetter.organization_id.is_(None)))).scalar_one_or_none()
    if letter is None:
        raise NotFound("没有找到这条消息。")
    if letter.redriven_at is not None:
        raise Conflict("这条消息已经重新接收过了。", code="already_redriven")
    letter_key, payload, channel = letter.id, letter.payload, letter.channel
    try:
        if channel == "hl7":
            message = parse_oru_text(payload)
            organization = organization_by_code(message.sending_facility)
            if organization.id != principal.organization_id:
                raise UnknownOrganization(message.sending_facility)
            reports, source = list(message.reports), "hl7"
        else:
            organization = db.session.get(Organization, principal.organization_id)
            _, reports = parse_bundle(json.loads(payload))
            source = "fhir"
    except (Hl7Refused, FhirRefused, ValueError) as exc:
        raise ValidationFailed(f"仍然无法接收：{getattr(exc, 'reason', exc)}",
                               field="payload") from exc
    except UnknownOrganization as exc:
        raise ValidationFailed("消息的发送机构不是本院，或还没有在系统里登记。",
                               field="payload") from exc
    ingest(organization, reports, source)
    letter = db.session.get(InboundDeadLetter, letter_key)
    letter.redriven_at = utcnow()
    audit.record("report.dead_letter_redriven", "inbound_message", str(letter.external_id),
                 {"channel": channel})
    db.session.commit()
    return letter
