"""Append to the audit log (审计日志) without a lock shared between requests.

`record` adds an entry to the current transaction; just before that transaction commits, its
entries are numbered from a database sequence and each gets an HMAC-SM3 of its own fields (under a
key kept outside the database), then inserted with the change they record. No request waits on
another's audit entry. A single sealer (`backend.services.audit_seal`) later links the entries
into the chain in order; `backend.services.audit_verify` checks entries and chain.

Entries chained before the sealer existed (with `prev_hash`/`hash`) were carried over as seals;
the oldest of them may be plain SM3 (`key_id` empty), written before the chain was keyed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import event, insert, literal_column, text
from sqlalchemy.orm import Session

from backend.auth import current_principal
from backend.driver_statement import DriverStatement
from backend.extensions import db
from backend.models import AuditEntry, PrincipalKind
from backend.request_context import client_ip, current_request_id
from backend.security.audit_chain import AuditKeyring, CheckpointFile
from backend.security.crypto import sm3_hex
from backend.timeutil import utcnow

GENESIS_HASH = "0" * 64
_PENDING = "frontdoor.audit_pending"
_ENTRY_FIELDS = ("occurred_at", "actor_kind", "actor_id", "actor_role", "action",
                 "subject_kind", "subject_id", "request_id", "client_ip", "detail", "key_id",
                 "organization_id")


def keyring() -> AuditKeyring:
    return current_app.extensions["audit_keyring"]


def checkpoints() -> CheckpointFile:
    return CheckpointFile(current_app.config["AUDIT_CHECKPOINT_PATH"], keyring())


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def signed_fields(row: Any) -> dict[str, Any]:
    """What an entry's MAC covers: its number and every field it was written with."""
    fields = {name: getattr(row, name) if not isinstance(row, dict) else row[name]
              for name in ("seq", *_ENTRY_FIELDS)}
    fields["occurred_at"] = _iso(fields["occurred_at"])
    return fields


def entry_mac(row: Any) -> str:
    fields = signed_fields(row)
    return keyring().entry_mac(fields["key_id"], fields)


def legacy_hash(entry: AuditEntry) -> str:
    """The hash a carried-over entry carries: its fields and the hash before it, keyed under its
    key id, or plain SM3 for the chain's oldest, unkeyed prefix."""
    fields = {"seq": entry.seq, "occurred_at": _iso(entry.occurred_at),
              "actor_kind": entry.actor_kind, "actor_id": entry.actor_id,
              "actor_role": entry.actor_role, "action": entry.action,
              "subject_kind": entry.subject_kind, "subject_id": entry.subject_id,
              "request_id": entry.request_id, "client_ip": entry.client_ip,
              "detail": entry.detail, "prev_hash": entry.prev_hash}
    if entry.key_id is None:
        return sm3_hex(json.dumps(fields, ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":")).encode())
    fields["key_id"], fields["organization_id"] = entry.key_id, entry.organization_id
    return keyring().entry_mac(entry.key_id, fields)


def record(action: str, subject_kind: str, subject_id: str | None,
           detail: dict[str, Any] | None = None, *, actor_kind: str | None = None,
           actor_id: str | None = None, actor_role: str | None = None,
           organization_id: int | None = None, number: int | None = None) -> None:
    """Add one audit entry to the current transaction; it is written when the caller commits
    (and dropped with everything else on a rollback).

    The entry belongs to the acting staff member's organization, or to `organization_id` when
    the caller names one (a staff login before there is a session). `number`: one the caller
    already took with `NEXT_NUMBER` in its own last statement (a hold's booking INSERT), which
    saves the commit a round trip; otherwise the entry is numbered at the commit."""
    row = _pending_row(action, subject_kind, subject_id, detail, actor_kind, actor_id,
                       actor_role, organization_id)
    if number is not None:
        row["seq"] = number
    _add_pending(row)


@dataclass(frozen=True)
class Event:
    """One entry for `record_many`: what happened to which subject, and who did it (None:
    the current principal, as for `record`)."""

    action: str
    subject_kind: str
    subject_id: str | None
    detail: dict[str, Any]
    actor_kind: str | None = None
    actor_id: str | None = None


def record_many(events: list[Event]) -> None:
    """Add several entries to the current transaction, like `record` for each; at commit they
    are numbered with one call to the sequence and inserted with one statement together with
    the transaction's other entries (the MLLP listener records a batch of messages this way)."""
    if events:
        _add_pending(*(_pending_row(e.action, e.subject_kind, e.subject_id, e.detail,
                                    e.actor_kind, e.actor_id, None, None) for e in events))


def _pending_row(action: str, subject_kind: str, subject_id: str | None,
                 detail: dict[str, Any] | None, actor_kind: str | None, actor_id: str | None,
                 actor_role: str | None, organization_id: int | None) -> dict[str, Any]:
    """An entry's fields, all but its number and MAC (given at commit)."""
    principal = current_principal()
    if actor_kind is None:
        actor_kind = principal.kind.value if principal else "system"
        actor_id = principal.actor_external_id if principal else actor_id
        actor_role = principal.role if principal else actor_role
    if organization_id is None and principal and principal.kind == PrincipalKind.STAFF:
        organization_id = principal.organization_id
    return {"occurred_at": utcnow(), "actor_kind": actor_kind, "actor_id": actor_id,
            "actor_role": actor_role, "action": action, "subject_kind": subject_kind,
            "subject_id": subject_id, "request_id": current_request_id(),
            "client_ip": client_ip(), "detail": detail or {},
            "key_id": keyring().current_key_id, "organization_id": organization_id}


def _add_pending(*rows: dict[str, Any]) -> None:
    db.session.connection()  # begin the transaction now, so a rollback drops the entries
    db.session.info.setdefault(_PENDING, []).extend(rows)


_NUMBERS = text("SELECT nextval('audit_entry_seq') FROM generate_series(1, :n)")
# An entry's number taken inside a caller's statement (PostgreSQL; `numbers_in_statements`).
NEXT_NUMBER = literal_column("nextval('audit_entry_seq')")
# Every field an entry is written with (`detail`'s Python default is never needed).
_INSERT = DriverStatement(insert(AuditEntry.__table__), ("seq", *_ENTRY_FIELDS, "mac"))


def numbers_in_statements(session: Session) -> bool:
    """Whether a caller may take an entry's number with `NEXT_NUMBER` (not on SQLite, whose
    numbers come from its write lock at the commit)."""
    return session.get_bind().dialect.name == "postgresql"


def _next_numbers(session: Session, count: int) -> list[int]:
    """`count` new sequence numbers: PostgreSQL's sequence (no lock held past the call); SQLite
    takes its database write lock first, so two writers never read the same maximum."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_chain_head SET seq = seq WHERE id = 1"))
        last = session.execute(text("SELECT coalesce(max(seq), 0) FROM audit_entry")).scalar_one()
        return list(range(last + 1, last + 1 + count))
    return list(session.connection().execute(_NUMBERS, {"n": count}).scalars())


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """Write the transaction's entries as its last statements, so a number is only taken by a
    transaction that is about to commit (a gap in the numbers is rare and visible)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    unnumbered = [row for row in pending if "seq" not in row]
    if unnumbered:
        for row, seq in zip(unnumbered, _next_numbers(session, len(unnumbered)), strict=True):
            row["seq"] = seq
    for row in pending:
        row["mac"] = entry_mac(row)
    if len(pending) == 1:  # a request's one entry: on the cursor, no execution layer
        _INSERT.run(pending[0], session)
    else:  # Core writes a batch as one multi-row INSERT
        session.connection().execute(_INSERT.statement, pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_PENDING, None)
