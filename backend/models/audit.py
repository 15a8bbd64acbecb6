"""Append-only audit log of every read and change of personal data, sealed into an HMAC-SM3 chain.

A request appends `AuditEntry` rows in its own transaction, numbered from a database sequence and
each carrying `mac`, an HMAC-SM3 of its own fields under a key the database never holds: no lock is
shared between requests. A single sealer then links the entries, in `seq` order, into the chain:
one `AuditSeal` per sequence number (`entry_mac` empty for a number no entry was ever committed
under), and `AuditChainHead` holds the last sealed number and hash. Entries chained before the
sealer existed keep their `prev_hash`/`hash` and were carried over as seals.

`key_id` names the audit key of `mac` (or of `hash` on carried-over entries); `organization_id` is
the organization the entry belongs to (a staff member's own), which scopes what a hospital admin
may read.
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
    mac: Mapped[str | None] = mapped_column(String(64))  # own fields, at append
    prev_hash: Mapped[str | None] = mapped_column(String(64))  # carried-over entries only
    hash: Mapped[str | None] = mapped_column(String(64))  # carried-over entries only
    key_id: Mapped[str | None] = mapped_column(String(32))
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)


class AuditSeal(db.Model):
    """One link of the chain (审计链): the entry's MAC at `seq`, the hash before it and its own."""

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_mac: Mapped[str | None] = mapped_column(String(64))  # empty: no entry at this number
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(32))  # empty: carried over from the entry
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditChainHead(db.Model):
    """The last sealed sequence number and hash; only the sealer writes it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))
