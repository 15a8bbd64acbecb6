"""Health-education items offered to a resident (content/), one row each: never the same item
twice, and whether it was read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import UTCDateTime


class EducationDelivery(ExternalIdMixin, TimestampMixin, db.Model):
    __table_args__ = (UniqueConstraint("resident_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    moment: Mapped[str] = mapped_column(String(16))  # reading | enrolment | followup
    why: Mapped[str] = mapped_column(String(64))  # finding:bp_high, general
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
