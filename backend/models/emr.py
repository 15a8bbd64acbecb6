"""The EMR outbox: one delivery per confirmed note version, and alerts for hospital admins.

The delivery row is written in the same transaction that confirms the note, so a note is never
confirmed without being queued for the doctor's EMR (transactional outbox).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import UTCDateTime

if TYPE_CHECKING:  # the mapper finds "PreVisitNote" by name: the models import neither way
    from backend.models.conversation import PreVisitNote


class EmrDelivery(ExternalIdMixin, TimestampMixin, db.Model):
    """pending → delivering (leased to a worker) → delivered, or dead after 4xx / 72 hours."""

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("pre_visit_note.id"), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"),
                                                        index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    retry_until: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    note: Mapped[PreVisitNote] = relationship("PreVisitNote")


class AdminAlert(ExternalIdMixin, TimestampMixin, db.Model):
    """Something a hospital admin must look at (e.g. a note the EMR refused), until acknowledged."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"),
                                                        index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
