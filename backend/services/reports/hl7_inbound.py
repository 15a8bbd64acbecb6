"""One HL7 message in, one ACK out: parse, store, acknowledge; refuse with AE/AR and keep the
message in the dead-letter table when it cannot be taken."""

from __future__ import annotations

import logging

from flask import Flask

from backend.extensions import db
from backend.interop.hl7_oru import Hl7Refused, OruMessage, ack, decode, parse_oru
from backend.services.reports.ingest import (
    UnknownOrganization,
    dead_letter,
    ingest,
    organization_by_code,
)

log = logging.getLogger(__name__)


def _best_text(raw: bytes) -> tuple[str, str]:
    try:
        return decode(raw)
    except Hl7Refused:
        return raw.decode("utf-8", "replace"), "utf-8"


def handle(app: Flask, raw: bytes) -> bytes:
    """The ACK for one framed message's bytes (called once per message, in its own context)."""
    with app.app_context():
        try:
            message = parse_oru(raw)
        except Hl7Refused as refused:
            return _refuse(raw, refused, None)
        try:
            organization = organization_by_code(message.sending_facility)
        except UnknownOrganization:
            return _refuse(raw, Hl7Refused("AR", f"MSH-4 发送机构 {message.sending_facility} "
                                                 "不是本集团的医院", message.control_id), None)
        try:
            outcome = ingest(organization, list(message.reports), "hl7",
                             {"actor_kind": "system",
                              "actor_id": f"hl7:{message.sending_application}"[:64]})
        except Exception:
            db.session.rollback()
            log.exception("hl7 message could not be stored; sender will resend",
                          extra={"control_id": message.control_id})
            return _ack(message, "AE", "暂时无法保存，请稍后重发")
        finally:
            db.session.remove()
        log.info("hl7 results stored", extra={"control_id": message.control_id,
                                              "actions": outcome.actions})
        return _ack(message, "AA", "")


def _ack(message: OruMessage, code: str, text: str) -> bytes:
    return ack(message.control_id, code, text, receiving_facility=message.sending_facility,
               sending_facility=message.receiving_facility, charset=message.charset)


def _refuse(raw: bytes, refused: Hl7Refused, organization_id: int | None) -> bytes:
    text, charset = _best_text(raw)
    try:
        dead_letter("hl7", organization_id, refused.control_id, refused.reason, text)
    except Exception:
        db.session.rollback()
        log.exception("could not dead-letter a refused hl7 message")
        return ack(refused.control_id, "AE", "暂时无法保存，请稍后重发", charset=charset)
    finally:
        db.session.remove()
    return ack(refused.control_id, refused.code, refused.reason, charset=charset)


def refuse_oversized(reason: str) -> bytes:
    return ack("", "AR", reason)
