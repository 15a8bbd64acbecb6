"""The single sealer: links appended audit entries into the HMAC-SM3 chain, in sequence order.

Each batch is one transaction: it takes the sealer lock (a PostgreSQL advisory lock; SQLite's
write lock), reads the chain head, seals up to `batch` entries after it and moves the head. A
sealer killed mid-batch leaves nothing half-written (its transaction rolls back) and the next
run resumes from the head. Requests never take this lock.

A number no entry was committed under (its transaction failed at COMMIT, or the entry was removed
before sealing) holds the chain back for `AUDIT_SEAL_GAP_SECONDS`, then is sealed as empty and
logged, so one failed commit cannot stop the chain.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend.extensions import db
from backend.models import AuditChainHead, AuditEntry, AuditSeal
from backend.services.audit import GENESIS_HASH, keyring
from backend.timeutil import utcnow

log = logging.getLogger(__name__)
HEAD_ID = 1
SEALER_LOCK = 0x46445345414C  # "FDSEAL": one sealer at a time across processes
_gaps_first_seen: dict[int, float] = {}


@dataclass(frozen=True)
class SealResult:
    sealed: int = 0  # entries linked into the chain
    gaps: int = 0  # numbers sealed as empty
    head: int = 0  # the last sealed number
    waiting_on: int | None = None  # a missing number still within its grace period
    busy: bool = False  # another sealer holds the lock


def link_hash(key_id: str, seq: int, entry_mac: str | None, prev_hash: str) -> str:
    return keyring().link_mac(key_id, {"seq": seq, "entry_mac": entry_mac,
                                       "prev_hash": prev_hash})


def _lock() -> bool:
    if db.engine.dialect.name == "sqlite":
        db.session.execute(update(AuditChainHead).where(AuditChainHead.id == HEAD_ID)
                           .values(seq=AuditChainHead.seq))
        return True
    return db.session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                              {"key": SEALER_LOCK}).scalar_one()


def _head() -> AuditChainHead:
    query = select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).execution_options(
        populate_existing=True)
    head = db.session.execute(query).scalar_one_or_none()
    if head is None:
        dialect_insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[
            db.engine.dialect.name]
        db.session.execute(dialect_insert(AuditChainHead).values(
            id=HEAD_ID, seq=0, hash=GENESIS_HASH).on_conflict_do_nothing())
        head = db.session.execute(query).scalar_one()
    return head


def _gap_settled(seq: int, grace: float) -> bool:
    first = _gaps_first_seen.setdefault(seq, time.monotonic())
    return time.monotonic() - first >= grace


def seal_batch(batch: int = 500, gap_grace: float | None = None) -> SealResult:
    """Seal up to `batch` entries after the head, in one transaction."""
    grace = current_app.config["AUDIT_SEAL_GAP_SECONDS"] if gap_grace is None else gap_grace
    if not _lock():
        db.session.rollback()
        return SealResult(busy=True)
    head = _head()
    rows = db.session.execute(select(AuditEntry.seq, AuditEntry.mac).where(
        AuditEntry.seq > head.seq).order_by(AuditEntry.seq).limit(batch)).all()
    key_id, now = keyring().current_key_id, utcnow()
    seals, gaps, waiting = [], 0, None
    seq, prev = head.seq, head.hash
    for entry_seq, mac in rows:
        while seq + 1 < entry_seq and len(seals) < batch:
            if not _gap_settled(seq + 1, grace):
                waiting = seq + 1
                break
            seq += 1
            link = link_hash(key_id, seq, None, prev)
            seals.append({"seq": seq, "entry_mac": None, "prev_hash": prev, "hash": link,
                          "key_id": key_id, "sealed_at": now})
            prev, gaps = link, gaps + 1
            log.warning("audit number sealed without an entry", extra={"seq": seq})
        if waiting is not None or len(seals) >= batch:
            break
        seals.append({"seq": entry_seq, "entry_mac": mac or "", "prev_hash": prev,
                      "hash": link_hash(key_id, entry_seq, mac or "", prev), "key_id": key_id,
                      "sealed_at": now})
        seq, prev = entry_seq, seals[-1]["hash"]
    if seals:
        db.session.execute(insert(AuditSeal), seals)
        head.seq, head.hash = seq, prev
    db.session.commit()
    for done in [number for number in _gaps_first_seen if number <= seq]:
        del _gaps_first_seen[done]
    return SealResult(sealed=len(seals) - gaps, gaps=gaps, head=seq, waiting_on=waiting)


def seal_pending(batch: int = 500, gap_grace: float | None = None) -> SealResult:
    """Seal until caught up (or held back by a missing number, or another sealer is at work)."""
    sealed = gaps = 0
    while True:
        result = seal_batch(batch, gap_grace)
        sealed, gaps = sealed + result.sealed, gaps + result.gaps
        if result.busy or result.sealed + result.gaps < batch:
            return SealResult(sealed, gaps, result.head, result.waiting_on, result.busy)


def run_sealer(stop: threading.Event, batch: int = 500, interval: float = 0.1) -> None:
    """Seal every `interval` seconds (at once again while full batches keep coming) until
    `stop` is set. A failed batch is logged and retried on the next tick."""
    log.info("audit sealer started", extra={"batch": batch, "interval_s": interval})
    while not stop.is_set():
        try:
            result = seal_pending(batch)
            if result.sealed or result.gaps:
                log.debug("audit entries sealed", extra={"sealed": result.sealed,
                                                          "head": result.head})
        except Exception:
            db.session.rollback()
            log.exception("audit sealing failed; retrying")
        finally:
            db.session.remove()
        stop.wait(interval)
    log.info("audit sealer stopped")
