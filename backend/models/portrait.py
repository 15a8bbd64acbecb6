"""AI health portraits (健康画像): versions built from held data, reviewed by a family doctor.

A version is never edited after review: the doctor's corrections are stored with the approval,
and a new build is a new version. `data_mark` says which data a version was built from, so the
periodic refresh can tell when newer data has arrived (the version turns stale and a new draft
waits for review).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import UTCDateTime


class PortraitStatus:
    DRAFT = "draft"  # waiting for the family doctor
    APPROVED = "approved"  # the resident may see it
    REJECTED = "rejected"  # with the doctor's reason; never shown
    SUPERSEDED = "superseded"  # a newer draft replaced it before review


class HealthPortrait(ExternalIdMixin, TimestampMixin, db.Model):
    __table_args__ = (UniqueConstraint("patient_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    statements: Mapped[list] = mapped_column(JSON)  # as the rules built them, with evidence
    reviewed: Mapped[list | None] = mapped_column(JSON)  # as the doctor approved them
    data_mark: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    built_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    rejection_reason: Mapped[str | None] = mapped_column(String(200))
