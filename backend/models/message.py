"""Patient messages (订阅消息 / 支付宝消息): what a person agreed to receive, and what was sent.

WeChat subscribe messages are one-time: each "accept" in `wx.requestSubscribeMessage` allows one
message of that template, so `grants` counts them; a "reject" or "ban" stops them all.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import UTCDateTime

if TYPE_CHECKING:
    from backend.models.report import Report


class MessageSubscription(TimestampMixin, db.Model):
    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # booked | reminder | cancelled | refunded
    grants: Mapped[int] = mapped_column(Integer, default=0)
    declined: Mapped[bool] = mapped_column(default=False)


class PatientMessage(ExternalIdMixin, TimestampMixin, db.Model):
    """An outbox row: written with the event it reports, sent by a job, never twice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    followup_task_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_task.id"),
                                                         index=True)
    # A child's vaccination message (reminder, end of 留观, after-care) names the child.
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    data: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[Report | None] = relationship()
