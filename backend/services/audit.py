"""Append to and verify the hash-chained audit log (审计日志).

Each entry's hash is HMAC-SM3, under a key kept outside the database, of its own fields and the
previous entry's hash (`backend.security.audit_chain`). Appending locks the chain head row, so
concurrent writers form one chain; the entry commits with the change it records. Verification
re-walks the chain and compares it with the signed checkpoints kept outside the database;
`anchor` adds a checkpoint once the chain has verified.

Entries written before the chain was keyed (no `key_id`) are plain SM3; they are accepted only
as the chain's first entries and, once a checkpoint exists, only up to the first checkpoint.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend.auth import current_principal
from backend.extensions import db
from backend.models import AuditChainHead, AuditEntry, PrincipalKind
from backend.request_context import client_ip, current_request_id
from backend.security.audit_chain import AuditKeyring, Checkpoint, CheckpointFile
from backend.security.crypto import sm3_hex
from backend.timeutil import utcnow

log = logging.getLogger(__name__)
GENESIS_HASH = "0" * 64
_HEAD_ID = 1


def _fields(entry: AuditEntry) -> dict[str, Any]:
    fields = {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.isoformat(timespec="microseconds"),
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "subject_kind": entry.subject_kind,
        "subject_id": entry.subject_id,
        "request_id": entry.request_id,
        "client_ip": entry.client_ip,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    if entry.key_id is not None:
        fields["key_id"] = entry.key_id
        fields["organization_id"] = entry.organization_id
    return fields


def keyring() -> AuditKeyring:
    return current_app.extensions["audit_keyring"]


def checkpoints() -> CheckpointFile:
    return CheckpointFile(current_app.config["AUDIT_CHECKPOINT_PATH"], keyring())


def entry_hash(entry: AuditEntry) -> str:
    """The hash the entry must carry: keyed under its key id, or plain SM3 for the old prefix."""
    if entry.key_id is None:
        return sm3_hex(json.dumps(_fields(entry), ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":")).encode())
    return keyring().entry_mac(entry.key_id, _fields(entry))


def record(action: str, subject_kind: str, subject_id: str | None,
           detail: dict[str, Any] | None = None, *, actor_kind: str | None = None,
           actor_id: str | None = None, actor_role: str | None = None,
           organization_id: int | None = None) -> AuditEntry:
    """Add one audit entry to the current transaction (the caller commits).

    The entry belongs to the acting staff member's organization, or to `organization_id` when
    the caller names one (a staff login before there is a session)."""
    entry = _entry(_locked_head(), action, subject_kind, subject_id, detail, actor_kind,
                   actor_id, actor_role, organization_id)
    db.session.add(entry)
    return entry


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
    """Append several entries under one lock of the chain head, written with one statement
    (the MLLP listener records a batch of messages this way: one lock, not one per message)."""
    if not events:
        return
    head = _locked_head()
    rows = [_entry(head, e.action, e.subject_kind, e.subject_id, e.detail, e.actor_kind,
                   e.actor_id, None, None) for e in events]
    db.session.execute(insert(AuditEntry.__table__), [
        {column.key: getattr(row, column.key) for column in AuditEntry.__table__.columns
         if column.key != "id"} for row in rows])


def _entry(head: AuditChainHead, action: str, subject_kind: str, subject_id: str | None,
           detail: dict[str, Any] | None, actor_kind: str | None, actor_id: str | None,
           actor_role: str | None, organization_id: int | None) -> AuditEntry:
    """The next entry of the chain after `head` (which it moves on)."""
    principal = current_principal()
    if actor_kind is None:
        actor_kind = principal.kind.value if principal else "system"
        actor_id = principal.actor_external_id if principal else actor_id
        actor_role = principal.role if principal else actor_role
    if organization_id is None and principal and principal.kind == PrincipalKind.STAFF:
        organization_id = principal.organization_id
    entry = AuditEntry(
        seq=head.seq + 1,
        occurred_at=utcnow(),
        actor_kind=actor_kind, actor_id=actor_id, actor_role=actor_role,
        action=action, subject_kind=subject_kind, subject_id=subject_id,
        request_id=current_request_id(), client_ip=client_ip(),
        detail=detail or {}, prev_hash=head.hash,
        key_id=keyring().current_key_id, organization_id=organization_id,
    )
    entry.hash = entry_hash(entry)
    head.seq, head.hash = entry.seq, entry.hash
    return entry


def _locked_head() -> AuditChainHead:
    """Lock the chain head row, creating it first if this is the very first entry."""
    if db.engine.dialect.name == "sqlite":
        # SQLite has no FOR UPDATE: take the database's write lock before reading the head,
        # or two writers (a request and the demo's MLLP listener) read the same head and the
        # second entry fails on its sequence number.
        db.session.execute(update(AuditChainHead).where(AuditChainHead.id == _HEAD_ID)
                           .values(seq=AuditChainHead.seq))
    query = (select(AuditChainHead).where(AuditChainHead.id == _HEAD_ID).with_for_update()
             .execution_options(populate_existing=True))
    head = db.session.execute(query).scalar_one_or_none()
    if head is None:
        insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[db.engine.dialect.name]
        db.session.execute(insert(AuditChainHead).values(
            id=_HEAD_ID, seq=0, hash=GENESIS_HASH).on_conflict_do_nothing())
        head = db.session.execute(query).scalar_one()
    return head


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def _entries(batch: int = 1000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = db.session.execute(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        db.session.expunge_all()


def _entry_problems(entry: AuditEntry, prev_hash: str, keyed_seen: bool,
                    unkeyed_limit: int | None) -> list[str]:
    problems = []
    if entry.prev_hash != prev_hash:
        problems.append("does not link to the entry before it")
    if entry.key_id is None and (keyed_seen or (unkeyed_limit is not None
                                                and entry.seq > unkeyed_limit)):
        problems.append("was written without the audit key after the chain was keyed")
    elif entry.key_id is not None and not keyring().knows(entry.key_id):
        problems.append(f"names an audit key {entry.key_id!r} that is not configured")
    elif not hmac.compare_digest(entry_hash(entry), entry.hash):
        problems.append("content was changed after it was written")
    return problems


def verify_chain() -> tuple[int, list[ChainProblem]]:
    """Walk the chain; report changed, missing and unkeyed rows, a head that does not match,
    and any difference from the signed checkpoints outside the database."""
    count, problems, _last = _walk()
    return count, problems


def _walk() -> tuple[int, list[ChainProblem], tuple[int, str]]:
    anchors, file_problems = checkpoints().read()
    problems = [ChainProblem(0, f"checkpoint file: {p}") for p in file_problems]
    anchored = {c.seq: c for c in anchors}
    unkeyed_limit = anchors[0].seq if anchors else None
    expected_seq, prev_hash, count, keyed_seen = 1, GENESIS_HASH, 0, False
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"entries {expected_seq}..{entry.seq - 1} "
                                                       "are missing"))
        problems.extend(ChainProblem(entry.seq, p) for p in
                        _entry_problems(entry, prev_hash, keyed_seen, unkeyed_limit))
        keyed_seen = keyed_seen or entry.key_id is not None
        anchor = anchored.get(entry.seq)
        if anchor is not None and not hmac.compare_digest(anchor.hash, entry.hash):
            problems.append(ChainProblem(entry.seq, "differs from the checkpoint of "
                                                    f"{anchor.written_at}: the chain was "
                                                    "rewritten"))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    head = db.session.get(AuditChainHead, _HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (last_seq, prev_hash):
        problems.append(ChainProblem(head_seq, f"the chain ends at {last_seq} but its head "
                                               f"records {head_seq}: newest entries were removed"))
    if anchors and anchors[-1].seq > last_seq:
        problems.append(ChainProblem(anchors[-1].seq, f"a checkpoint of {anchors[-1].written_at}"
                                                      f" anchors entry {anchors[-1].seq} but the "
                                                      f"chain ends at {last_seq}: entries were "
                                                      "removed"))
    return count, problems, (last_seq, prev_hash)


def anchor() -> tuple[int, list[ChainProblem], Checkpoint | None]:
    """Verify, then append a checkpoint for the newest entry if the chain is intact and has
    grown since the last checkpoint. Nothing is anchored over a broken chain."""
    count, problems, (last_seq, last_hash) = _walk()
    if problems or count == 0:
        return count, problems, None
    store = checkpoints()
    existing, _ = store.read()
    if existing and existing[-1].seq >= last_seq:
        return count, problems, existing[-1]
    checkpoint = store.append(last_seq, last_hash)  # the newest entry this walk verified
    log.info("audit checkpoint written", extra={"seq": last_seq, "path": str(store.path)})
    return count, problems, checkpoint
