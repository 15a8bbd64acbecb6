"""Append-only audit log of every read and change of personal data, HMAC-SM3 hash-chained.

`AuditChainHead` holds the last sequence number and hash; appenders lock it, so the chain is a
single line even with many web processes. `key_id` names the audit key that made `hash` (empty
only on entries written before the chain was keyed); `organization_id` is the organization the
entry belongs to (a staff member's own), which scopes what a hospital admin may read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime


class AuditEntry(db.Model):
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))  # account / staff / system
    actor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(32))
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)


class AuditChainHead(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))
