"""Appointments (预约挂号): a held slot becomes a booking once paid.

The database itself stops the worst mistakes: `Slot.booked` cannot pass capacity, a person holds at
most one live booking per department per day, a retried request (same Idempotency-Key) finds the
booking it already made, and a queue number is given once per clinic session.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.account import PatientProfile
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.organization import Department, Doctor, Organization
from backend.models.schedule import Schedule, Slot
from backend.models.types import UTCDateTime


class BookingStatus(enum.StrEnum):
    HELD = "held"  # slot taken, waiting for payment until hold_expires_at
    CONFIRMED = "confirmed"  # paid
    CHECKED_IN = "checked_in"  # 已签到, has a queue number
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # by the patient
    EXPIRED = "expired"  # hold lapsed unpaid
    STOPPED = "stopped"  # 停诊 by the hospital
    NO_SHOW = "no_show"  # 爽约


ACTIVE_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
_ACTIVE_SQL = text("status IN ('held', 'confirmed', 'checked_in')")


class Booking(ExternalIdMixin, TimestampMixin, db.Model):
    __table_args__ = (
        UniqueConstraint("account_id", "idempotency_key"),
        UniqueConstraint("schedule_id", "queue_number"),
        Index("uq_booking_one_active_per_department_day", "patient_id", "department_id",
              "clinic_date", unique=True, postgresql_where=_ACTIVE_SQL, sqlite_where=_ACTIVE_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id"))
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    clinic_date: Mapped[date] = mapped_column(Date)
    fee_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # cancelled/expired/stopped
    end_reason: Mapped[str | None] = mapped_column(String(200))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queue_number: Mapped[int | None] = mapped_column(Integer)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    patient: Mapped[PatientProfile] = relationship()
    organization: Mapped[Organization] = relationship()
    department: Mapped[Department] = relationship()
    doctor: Mapped[Doctor | None] = relationship()
    schedule: Mapped[Schedule] = relationship()
    slot: Mapped[Slot] = relationship()

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES
