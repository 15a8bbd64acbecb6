"""One HL7 message in, one ACK out: parse, store, acknowledge; refuse with AE/AR and keep the
message in the dead-letter table when it cannot be taken.

The listener's connections hand their parsed messages to one storing thread per process, which
stores whatever has arrived together in one transaction (`ingest_together`) and answers each
connection after the commit: an ACK still means "stored", and a busy hospital's many interface
connections share one audit-chain lock and one commit instead of queueing for one each.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
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
    Arrival,
    IngestOutcome,
    UnknownOrganization,
    dead_letter,
    ingest_together,
    organization_by_code,
)
from reports.knowledge import default_knowledge

log = logging.getLogger(__name__)
MAX_BATCH = 64  # messages stored in one transaction
STORE_TIMEOUT_SECONDS = 60  # then AE: the sender resends, and a resend is a harmless replay
GATHER_SECONDS = 0.005  # longest a batch waits for the other connections' messages
ACTIVE_SECONDS = 1.0  # a connection that sent within this is expected to send again


def _best_text(raw: bytes) -> tuple[str, str]:
    try:
        return decode(raw)
    except Hl7Refused:
        return raw.decode("utf-8", "replace"), "utf-8"


class _Waiting:
    def __init__(self, arrival: Arrival) -> None:
        self.arrival, self.done = arrival, threading.Event()
        self.outcome: IngestOutcome | UnknownOrganization | None = None
        self.error: BaseException | None = None

    def result(self) -> IngestOutcome | UnknownOrganization:
        if not self.done.wait(STORE_TIMEOUT_SECONDS):
            raise TimeoutError("the storing thread did not answer in time")
        if self.error is not None:
            raise self.error
        return self.outcome


class StoreNow:
    """Store each message in its own transaction, in the calling thread (tests, one-offs)."""

    def submit(self, arrival: Arrival) -> _Waiting:
        waiting = _Waiting(arrival)
        [waiting.outcome] = ingest_together([arrival])
        waiting.done.set()
        return waiting


class BatchStore:
    """One thread per process stores the messages of all its connections, together.

    Group commit: a batch waits (at most GATHER_SECONDS) for the next message of each
    connection that sent one in the last ACTIVE_SECONDS, so connections that send in step
    share a commit instead of drifting into taking turns with one message each."""

    def __init__(self, app: Flask, max_batch: int = MAX_BATCH) -> None:
        self.app, self.max_batch = app, max_batch
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._reset()

    def _reset(self) -> None:
        self._changed = threading.Condition()
        self._waiting: deque[_Waiting] = deque()
        self._senders: dict[int, float] = {}  # connection thread → when it last sent

    def submit(self, arrival: Arrival) -> _Waiting:
        self._started()
        waiting = _Waiting(arrival)
        with self._changed:
            self._waiting.append(waiting)
            self._senders[threading.get_ident()] = time.monotonic()
            self._changed.notify()
        return waiting

    def _started(self) -> None:
        """The thread of this process (a forked listener process starts its own)."""
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._reset()
                threading.Thread(target=self._run, name="hl7-store", daemon=True).start()

    def _next_batch(self) -> list[_Waiting]:
        with self._changed:
            while not self._waiting:
                self._changed.wait()
            now = time.monotonic()
            self._senders = {sender: at for sender, at in self._senders.items()
                             if now - at < ACTIVE_SECONDS}
            deadline = now + GATHER_SECONDS
            while len(self._waiting) < min(len(self._senders), self.max_batch):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return [self._waiting.popleft()
                    for _ in range(min(len(self._waiting), self.max_batch))]

    def _run(self) -> None:
        with self.app.app_context():
            while True:
                batch = self._next_batch()
                try:
                    self._store(batch)
                finally:
                    db.session.remove()

    @staticmethod
    def _store(batch: list[_Waiting]) -> None:
        try:
            outcomes = ingest_together([w.arrival for w in batch])
        except Exception as exc:
            db.session.rollback()
            if len(batch) == 1:
                batch[0].error = exc
                batch[0].done.set()
                return
            log.warning("hl7 batch could not be stored together; storing one by one",
                        extra={"messages": len(batch)})
            for waiting in batch:
                BatchStore._store([waiting])
            return
        for waiting, outcome in zip(batch, outcomes, strict=True):
            waiting.outcome = outcome
            waiting.done.set()


def listener(app: Flask, host: str, port: int, allowed_peers: str = "") -> MllpServer:
    """The MLLP server: each connection gets its own app context and database session, kept
    for all the messages it carries (a LIS holds its connection open for the day). The data
    files are read before the port is served, so a malformed one stops the start-up and the
    first messages do not wait for them."""
    default_knowledge()
    store = BatchStore(app)

    @contextmanager
    def connection():
        with app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    return MllpServer((host, port), lambda raw: handle(raw, store), refuse_oversized,
                      allowed_peers, connection)


def handle(raw: bytes, store: StoreNow | BatchStore | None = None) -> bytes:
    """The ACK for one framed message's bytes (inside the connection's app context)."""
    try:
        message = parse_oru(raw)
    except Hl7Refused as refused:
        return _refuse(raw, refused)
    arrival = Arrival(message.sending_facility, list(message.reports), "hl7",
                      {"actor_kind": "system",
                       "actor_id": f"hl7:{message.sending_application}"[:64]})
    try:
        outcome = (store or StoreNow()).submit(arrival).result()
    except Exception:
        db.session.rollback()
        log.exception("hl7 message could not be stored; sender will resend",
                      extra={"control_id": message.control_id})
        return _ack(message, "AE", "暂时无法保存，请稍后重发")
    if isinstance(outcome, UnknownOrganization):
        return _refuse(raw, Hl7Refused("AR", f"MSH-4 发送机构 {message.sending_facility} "
                                             "不是本集团的医院", message.control_id))
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
