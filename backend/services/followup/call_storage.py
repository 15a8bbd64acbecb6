"""Call recordings as SM4-GCM ciphertext files, and the purge that ends their retention.

A recording is a person's voice talking about their health: it is encrypted with the same field
keys as identity numbers (the WAV, base64, as one `FieldCipher` token) and written under
`CALL_RECORDINGS_DIR`, named by the attempt's public id. The database keeps only the file name.
At `purge_after` the purge job deletes the file and the transcript; the attempt row stays with
its disposition and answers, like the follow-up record.
"""

from __future__ import annotations

import base64
import logging
import os
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import CallAttempt
from backend.services import audit

log = logging.getLogger(__name__)
MAX_RECORDING_BYTES = 64 * 1024 * 1024  # about half an hour at 16 kHz
PURGE_BATCH = 500


def _directory() -> Path:
    path = Path(current_app.config["CALL_RECORDINGS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_recording(attempt: CallAttempt, wav: bytes) -> str:
    """Encrypt and write the recording; returns the file name. Written to a temporary name and
    renamed, so a crash leaves no half file under the real name."""
    if len(wav) > MAX_RECORDING_BYTES:
        log.warning("call recording too long; keeping its first part",
                    extra={"attempt": str(attempt.external_id), "bytes": len(wav)})
        wav = wav[:MAX_RECORDING_BYTES]
    token = current_app.extensions["field_cipher"].encrypt(base64.b64encode(wav).decode())
    name = f"{attempt.external_id}.sm4"
    target = _directory() / name
    temporary = target.with_suffix(".tmp")
    temporary.write_text(token, encoding="ascii")
    os.replace(temporary, target)
    return name


def read_recording(attempt: CallAttempt) -> bytes | None:
    if not attempt.recording_file or attempt.purged_at is not None:
        return None
    path = _directory() / attempt.recording_file
    if not path.exists():
        return None
    token = path.read_text(encoding="ascii")
    return base64.b64decode(current_app.extensions["field_cipher"].decrypt(token))


def purge_expired(now: datetime) -> int:
    """Delete transcripts and recordings past their retention; safe to run twice."""
    purged = 0
    while True:
        attempts = db.session.execute(select(CallAttempt).where(
            CallAttempt.purged_at.is_(None), CallAttempt.purge_after <= now).order_by(
            CallAttempt.id).limit(PURGE_BATCH)).scalars().all()
        if not attempts:
            break
        for attempt in attempts:
            if attempt.recording_file:
                (_directory() / attempt.recording_file).unlink(missing_ok=True)
            attempt.transcript, attempt.recording_file = None, None
            attempt.purged_at = now
        audit.record("followup.call.purge", "call_attempt", None,
                     {"attempts": [str(a.external_id) for a in attempts]},
                     actor_kind="system", actor_id="call-retention")
        db.session.commit()
        purged += len(attempts)
    if purged:
        log.info("call transcripts and recordings purged", extra={"attempts": purged})
    return purged
