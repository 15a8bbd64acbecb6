"""AI follow-up calls (AI电话随访): one row per resident and follow-up date that is owed by phone,
with its next attempt time (scanned by the call dispatcher), and one row per attempt with the
call's transcript and recording as SM4 ciphertext until their retention ends.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.followup_record import FollowUpRecord
from backend.models.resident import Resident
from backend.models.types import EncryptedText, UTCDateTime


class FollowUpChannel(enum.StrEnum):
    """How a resident's follow-ups are done (随访渠道)."""

    DOCTOR = "doctor"  # the family doctor sees or rings them (the default)
    AI_CALL = "ai_call"  # the AI caller rings first; the doctor confirms what it heard


class CallState(enum.StrEnum):
    SCHEDULED = "scheduled"  # waiting for `next_attempt_at`
    DIALLING = "dialling"  # a worker holds it until `lease_until`
    DONE = "done"  # the resident answered the questions (or a red flag ended the call)
    TO_DOCTOR = "to_doctor"  # retries used up, refused, wrong person…: the doctor follows up
    CANCELLED = "cancelled"  # the follow-up was recorded another way, or the enrolment ended


class FollowUpCall(ExternalIdMixin, TimestampMixin, db.Model):
    """The phone follow-up owed to one resident for one follow-up date."""

    __table_args__ = (
        UniqueConstraint("resident_id", "due_on"),
        Index("ix_follow_up_call_next_attempt", "next_attempt_at",
              postgresql_where=text("status = 'scheduled'"),
              sqlite_where=text("status = 'scheduled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=CallState.SCHEDULED.value)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts per kind of failure (busy, no_answer, …): the policy's max_attempts counts each.
    failures: Mapped[dict] = mapped_column(JSON, default=dict)
    last_result: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_record.id"))

    resident: Mapped[Resident] = relationship()
    record: Mapped[FollowUpRecord | None] = relationship()
    attempt_rows: Mapped[list[CallAttempt]] = relationship(back_populates="call",
                                                           order_by="CallAttempt.number")


class CallAttempt(ExternalIdMixin, TimestampMixin, db.Model):
    """One ring of one resident: how it ended and, when someone talked, what was said.

    `transcript` is JSON lines of the talk as SM4 ciphertext; the recording is a file of
    SM4 ciphertext under the recordings directory (`recording_file`). Both are removed at
    `purge_after` by the purge job (the follow-up record stays)."""

    __table_args__ = (UniqueConstraint("call_id", "number"),
                      Index("ix_call_attempt_purge", "purge_after",
                            postgresql_where=text("purged_at IS NULL"),
                            sqlite_where=text("purged_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("follow_up_call.id"))
    number: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposition: Mapped[str | None] = mapped_column(String(16))  # answered, busy, no_answer…
    outcome: Mapped[str | None] = mapped_column(String(32))  # completed, red_flag, refused…
    cause: Mapped[str | None] = mapped_column(String(64))  # the provider's own word
    barge_ins: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # readings, adherence, flags
    transcript: Mapped[str | None] = mapped_column(EncryptedText)
    recording_file: Mapped[str | None] = mapped_column(String(200))
    purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[FollowUpCall] = relationship(back_populates="attempt_rows")
