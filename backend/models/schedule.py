"""Outpatient schedules (出诊排班) pushed by the hospital's HIS, and their bookable time slots."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.organization import Department, Doctor, Organization
from backend.models.types import UTCDateTime


class RegistrationType(enum.StrEnum):
    GENERAL = "general"  # 普通号
    EXPERT = "expert"  # 专家号
    SPECIAL = "special"  # 特需号


class Schedule(ExternalIdMixin, TimestampMixin, db.Model):
    """One doctor's (or a department's general) clinic session on one half-day.

    `his_ref` is the HIS's own key, so a re-pushed schedule updates instead of duplicating.
    """

    __table_args__ = (UniqueConstraint("organization_id", "his_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id"), index=True)
    his_ref: Mapped[str] = mapped_column(String(64))
    clinic_date: Mapped[date] = mapped_column(Date, index=True)
    half_day: Mapped[str] = mapped_column(String(8))  # am | pm | night
    registration_type: Mapped[str] = mapped_column(String(16))
    fee_fen: Mapped[int] = mapped_column(Integer)
    release_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | stopped
    stop_reason: Mapped[str | None] = mapped_column(String(200))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The clinic's call board (叫号), fed by the HIS: last number called and the pace.
    now_serving: Mapped[int] = mapped_column(Integer, default=0)
    minutes_per_patient: Mapped[int] = mapped_column(Integer, default=8)

    organization: Mapped[Organization] = relationship()
    department: Mapped[Department] = relationship()
    doctor: Mapped[Doctor | None] = relationship()
    slots: Mapped[list[Slot]] = relationship(back_populates="schedule",
                                             order_by="Slot.starts_at")


class Slot(ExternalIdMixin, db.Model):
    """A bookable time window; `booked` never exceeds `capacity` (a CHECK guards it)."""

    __table_args__ = (UniqueConstraint("schedule_id", "starts_at"),
                      db.CheckConstraint("booked >= 0 AND booked <= capacity",
                                         name="booked_within_capacity"))

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    schedule: Mapped[Schedule] = relationship(back_populates="slots")

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)
