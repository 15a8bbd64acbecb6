"""Follow-up reminders that reach a resident outside the mini-program (短信, 智能语音电话): an
outbox row per resident, due date and reminder, written by the reminder queue and sent by a job.

Mini-program reminders stay in `PatientMessage` (they need an account); these need only the
resident's phone and consent, so they reach residents who never open the mini-program.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.followup_record import FollowUpTask
from backend.models.resident import Resident
from backend.models.types import UTCDateTime


class FollowUpContact(ExternalIdMixin, TimestampMixin, db.Model):
    """One reminder by SMS or AI phone call. `status`: pending → sent | failed | skipped;
    `vendor_ref` is the SMS BizId or the call's id, for the vendor's receipts. A sent SMS then
    gets its carrier's receipt (状态报告): `delivery` delivered | undelivered, with the
    receipt's code and time; an undelivered one passes the reminder on (`passed_to`: the next
    channel, or "doctor")."""

    __table_args__ = (
        Index("ix_follow_up_contact_pending", "channel", "id",
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_follow_up_contact_awaiting_receipt", "id",
              postgresql_where=text("status = 'sent' AND channel = 'sms' AND delivery IS NULL"),
              sqlite_where=text("status = 'sent' AND channel = 'sms' AND delivery IS NULL")),
        Index("ix_follow_up_contact_vendor_ref", "vendor_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("follow_up_task.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # followup_due | followup_overdue
    channel: Mapped[str] = mapped_column(String(16))  # sms | ai_call
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    vendor_ref: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery: Mapped[str | None] = mapped_column(String(16))  # delivered | undelivered
    receipt_code: Mapped[str | None] = mapped_column(String(64))  # DELIVERED, the carrier's …
    receipt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    passed_to: Mapped[str | None] = mapped_column(String(16))  # miniprogram | ai_call | doctor

    resident: Mapped[Resident] = relationship()
    task: Mapped[FollowUpTask] = relationship()
