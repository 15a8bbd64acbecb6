"""One HL7 message in, one ACK out: parse, store, acknowledge; refuse with AE/AR and keep the
message in the dead-letter table when it cannot be taken."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import Flask

from backend.extensions import db
from backend.interop.hl7_oru import (
    Hl7Refused,
    OruMessage,
    ack,
    decode,
    parse_oru,
    sending_facility,
)
from backend.interop.mllp import MllpServer
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


def listener(app: Flask, host: str, port: int, allowed_peers: str = "") -> MllpServer:
    """The MLLP server: each connection gets its own app context and database session, kept
    for all the messages it carries (a LIS holds its connection open for the day)."""

    @contextmanager
    def connection():
        with app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    return MllpServer((host, port), handle, refuse_oversized, allowed_peers, connection)


def handle(raw: bytes) -> bytes:
    """The ACK for one framed message's bytes (inside the connection's app context)."""
    try:
        message = parse_oru(raw)
    except Hl7Refused as refused:
        return _refuse(raw, refused)
    try:
        organization = organization_by_code(message.sending_facility)
    except UnknownOrganization:
        return _refuse(raw, Hl7Refused("AR", f"MSH-4 发送机构 {message.sending_facility} "
                                             "不是本集团的医院", message.control_id))
    try:
        outcome = ingest(organization, list(message.reports), "hl7",
                         {"actor_kind": "system",
                          "actor_id": f"hl7:{message.sending_application}"[:64]})
    except Exception:
        db.session.rollback()
        log.exception("hl7 message could not be stored; sender will resend",
                      extra={"control_id": message.control_id})
        return _ack(message, "AE", "暂时无法保存，请稍后重发")
    log.info("hl7 results stored", extra={"control_id": message.control_id,
                                          "actions": outcome.actions})
    return _ack(message, "AA", "")


def _ack(message: OruMessage, code: str, text: str) -> bytes:
    return ack(message.control_id, code, text, receiving_facility=message.sending_facility,
               sending_facility=message.receiving_facility, charset=message.charset)


def _refuse(raw: bytes, refused: Hl7Refused) -> bytes:
    text, charset = _best_text(raw)
    try:
        dead_letter("hl7", _organization_id(raw), refused.control_id, refused.reason, text)
    except Exception:
        db.session.rollback()
        log.exception("could not dead-letter a refused hl7 message")
        return ack(refused.control_id, "AE", "暂时无法保存，请稍后重发", charset=charset)
    return ack(refused.control_id, refused.code, refused.reason, charset=charset)


def _organization_id(raw: bytes) -> int | None:
    """The sending hospital of a refused message, when MSH-4 names one (for its admins)."""
    try:
        return organization_by_code(sending_facility(raw)).id
    except (Hl7Refused, UnknownOrganization):
        db.session.rollback()
        return None


def refuse_oversized(reason: str) -> bytes:
    return ack("", "AR", reason)
