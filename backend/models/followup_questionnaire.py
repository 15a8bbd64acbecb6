"""A resident's between-visit questionnaire (随访问卷) and the doctor's review of it.

Stored with the provisional classification shown to the resident; it becomes a follow-up
record (and moves the due dates) only when the responsible doctor accepts it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.followup_record import FollowUpRecord
from backend.models.resident import Resident
from backend.models.types import UTCDateTime


class FollowUpQuestionnaire(ExternalIdMixin, TimestampMixin, db.Model):
    """`status`: submitted → accepted (record_id set) | returned (review_note says why)."""

    __table_args__ = (
        Index("ix_follow_up_questionnaire_submitted", "resident_id",
              postgresql_where=text("status = 'submitted'"),
              sqlite_where=text("status = 'submitted'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))  # who answered
    answered_on: Mapped[date] = mapped_column(Date)
    edition: Mapped[str] = mapped_column(String(80))
    programmes: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON)
    readings: Mapped[dict] = mapped_column(JSON)  # the values classified, and where from
    provisional: Mapped[dict] = mapped_column(JSON)  # {programme: class}, urgent, next date
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_record.id"))

    resident: Mapped[Resident] = relationship()
    record: Mapped[FollowUpRecord | None] = relationship()
