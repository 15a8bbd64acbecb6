"""Verify the audit log: every entry against its own MAC, every seal against the chain, and the
sealed chain against the signed checkpoints kept outside the database.

Before sealing, an entry's MAC catches a change or an insertion (nobody without the key can make
one) and a hole in the numbers catches a removal; after sealing, the chain also catches a changed
MAC, a removed entry or seal, and an entry slipped under a number sealed as empty.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditChainHead, AuditEntry, AuditSeal
from backend.security.audit_chain import Checkpoint
from backend.services.audit import GENESIS_HASH, checkpoints, entry_mac, keyring, legacy_hash
from backend.services.audit_seal import HEAD_ID, link_hash, seal_pending

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def _rows(model, batch: int = 1000) -> Iterator:
    last = 0
    while True:
        rows = db.session.execute(select(model).where(model.seq > last).order_by(model.seq)
                                  .limit(batch)).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        db.session.expunge_all()


def _pairs() -> Iterator[tuple[int, AuditEntry | None, AuditSeal | None]]:
    """(seq, entry, seal) for every number either table holds, in order."""
    entries, seals = _rows(AuditEntry), _rows(AuditSeal)
    entry, seal = next(entries, None), next(seals, None)
    while entry is not None or seal is not None:
        seq = min(row.seq for row in (entry, seal) if row is not None)
        here_entry = entry if entry is not None and entry.seq == seq else None
        here_seal = seal if seal is not None and seal.seq == seq else None
        yield seq, here_entry, here_seal
        if here_entry is not None:
            entry = next(entries, None)
        if here_seal is not None:
            seal = next(seals, None)


def _entry_problems(entry: AuditEntry, carried_over: bool, keyed_seen: bool,
                    unkeyed_limit: int | None) -> list[str]:
    if entry.key_id is None:
        late = keyed_seen or (unkeyed_limit is not None and entry.seq > unkeyed_limit)
        if not carried_over or late:
            return ["was written without the audit key after the chain was keyed"]
        return []
    if not keyring().knows(entry.key_id):
        return [f"names an audit key {entry.key_id!r} that is not configured"]
    if carried_over:  # chained per request before the sealer: checked with its seal
        return []
    if entry.mac is None or not hmac.compare_digest(entry_mac(entry), entry.mac):
        return ["content was changed, or the entry was not written by the application"]
    return []


def _seal_problems(entry: AuditEntry | None, seal: AuditSeal, prev_hash: str) -> list[str]:
    problems = []
    if seal.prev_hash != prev_hash:
        problems.append("does not link to the entry before it")
    if seal.key_id is None:  # carried over from the per-request chain
        if entry is None:
            return [*problems, "the entry was removed after it was sealed"]
        if entry.prev_hash != seal.prev_hash or entry.hash != seal.hash:
            problems.append("differs from its seal: the chain was rewritten")
        elif entry.key_id is None or keyring().knows(entry.key_id):
            if not hmac.compare_digest(legacy_hash(entry), seal.hash):
                problems.append("content was changed after it was written")
        return problems
    if not keyring().knows(seal.key_id):
        return [*problems, f"names an audit key {seal.key_id!r} that is not configured"]
    if not hmac.compare_digest(link_hash(seal.key_id, seal.seq, seal.entry_mac,
                                         seal.prev_hash), seal.hash):
        problems.append("its seal was changed")
    if seal.entry_mac is None:
        if entry is not None:
            problems.append("an entry was inserted under a number sealed as empty")
    elif entry is None:
        problems.append("the entry was removed after it was sealed")
    elif entry.mac != seal.entry_mac:
        problems.append("content was changed after it was sealed")
    return problems


@dataclass
class _Walk:
    count: int = 0
    gaps: int = 0
    last_sealed: tuple[int, str] = (0, GENESIS_HASH)


def _walk() -> tuple[_Walk, list[ChainProblem]]:
    anchors, file_problems = checkpoints().read()
    problems = [ChainProblem(0, f"checkpoint file: {p}") for p in file_problems]
    anchored = {c.seq: c for c in anchors}
    unkeyed_limit = anchors[0].seq if anchors else None
    head = db.session.get(AuditChainHead, HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    walk, expected, prev_hash, keyed_seen = _Walk(), 1, GENESIS_HASH, False
    for seq, entry, seal in _pairs():
        if seq != expected:
            where = "sealed" if expected <= head_seq else "not yet sealed"
            problems.append(ChainProblem(expected, f"entries {expected}..{seq - 1} are missing "
                                                   f"({where})"))
        expected = seq + 1
        if entry is not None:
            walk.count += 1
            problems.extend(ChainProblem(seq, p) for p in
                            _entry_problems(entry, seal is not None and seal.key_id is None,
                                            keyed_seen, unkeyed_limit))
            keyed_seen = keyed_seen or entry.key_id is not None
        if seal is None:
            if seq <= head_seq:
                problems.append(ChainProblem(seq, "its seal was removed"))
            continue
        problems.extend(ChainProblem(seq, p) for p in _seal_problems(entry, seal, prev_hash))
        walk.gaps += seal.entry_mac is None and seal.key_id is not None
        prev_hash = seal.hash
        walk.last_sealed = (seq, seal.hash)
        anchor = anchored.get(seq)
        if anchor is not None and not hmac.compare_digest(anchor.hash, seal.hash):
            problems.append(ChainProblem(seq, f"differs from the checkpoint of "
                                              f"{anchor.written_at}: the chain was rewritten"))
    if (head_seq, head_hash) != walk.last_sealed:
        problems.append(ChainProblem(head_seq, f"the sealed chain ends at "
                                               f"{walk.last_sealed[0]} but its head records "
                                               f"{head_seq}: newest entries were removed"))
    if anchors and anchors[-1].seq > walk.last_sealed[0]:
        problems.append(ChainProblem(anchors[-1].seq, f"a checkpoint of {anchors[-1].written_at}"
                                                      f" anchors entry {anchors[-1].seq} but the "
                                                      f"chain ends at {walk.last_sealed[0]}: "
                                                      "entries were removed"))
    return walk, problems


def verify_chain() -> tuple[int, list[ChainProblem]]:
    """(entries, problems): changed, inserted and removed entries and seals, sealed or not, and
    any difference from the signed checkpoints outside the database."""
    walk, problems = _walk()
    return walk.count, problems


def sealed_gaps() -> int:
    """Numbers sealed as empty (a transaction that failed at COMMIT, or a removal before
    sealing): not proof of tampering, but each one is in the sealer's log to be explained."""
    walk, _ = _walk()
    return walk.gaps


def anchor() -> tuple[int, list[ChainProblem], Checkpoint | None]:
    """Seal what is pending, verify, then checkpoint the newest sealed link if the chain is
    intact and has grown since the last checkpoint. Nothing is anchored over a broken chain."""
    seal_pending()
    walk, problems = _walk()
    last_seq, last_hash = walk.last_sealed
    if problems or last_seq == 0:
        return walk.count, problems, None
    store = checkpoints()
    existing, _ = store.read()
    if existing and existing[-1].seq >= last_seq:
        return walk.count, problems, existing[-1]
    checkpoint = store.append(last_seq, last_hash)
    log.info("audit checkpoint written", extra={"seq": last_seq, "path": str(store.path)})
    return walk.count, problems, checkpoint
