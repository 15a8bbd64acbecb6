"""Append to and verify the SM3 hash-chained audit log (审计日志).

Each entry's hash covers its own fields and the previous entry's hash. Appending locks the chain
head row, so concurrent writers form one chain; the entry commits with the change it records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend.auth import current_principal
from backend.extensions import db
from backend.models import AuditChainHead, AuditEntry
from backend.request_context import client_ip, current_request_id
from backend.security.crypto import sm3_hex
from backend.timeutil import utcnow

GENESIS_HASH = "0" * 64
_HEAD_ID = 1


def _canonical(entry: AuditEntry) -> bytes:
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
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return sm3_hex(_canonical(entry))


def record(action: str, subject_kind: str, subject_id: str | None,
           detail: dict[str, Any] | None = None, *, actor_kind: str | None = None,
           actor_id: str | None = None, actor_role: str | None = None) -> AuditEntry:
    """Add one audit entry to the current transaction (the caller commits)."""
    principal = current_principal()
    if actor_kind is None:
        actor_kind = principal.kind.value if principal else "system"
        actor_id = principal.actor_external_id if principal else actor_id
        actor_role = principal.role if principal else actor_role
    head = _locked_head()
    entry = AuditEntry(
        seq=head.seq + 1,
        occurred_at=utcnow(),
        actor_kind=actor_kind, actor_id=actor_id, actor_role=actor_role,
        action=action, subject_kind=subject_kind, subject_id=subject_id,
        request_id=current_request_id(), client_ip=client_ip(),
        detail=detail or {}, prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    head.seq, head.hash = entry.seq, entry.hash
    db.session.add(entry)
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


def verify_chain() -> tuple[int, list[ChainProblem]]:
    """Walk the chain; report changed rows, missing rows and a head that does not match."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"entries {expected_seq}..{entry.seq - 1} "
                                                       "are missing"))
        if entry.prev_hash != prev_hash:
            problems.append(ChainProblem(entry.seq, "does not link to the entry before it"))
        if entry_hash(entry) != entry.hash:
            problems.append(ChainProblem(entry.seq, "content was changed after it was written"))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = db.session.get(AuditChainHead, _HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        problems.append(ChainProblem(head_seq, f"the chain ends at {expected_seq - 1} but its head "
                                               f"records {head_seq}: newest entries were removed"))
    return count, problems
