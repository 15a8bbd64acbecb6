"""Readings a resident takes at home (家庭自测): blood pressure, glucose, weight, SpO₂ and
temperature, from the mini-program by hand or from a home device, each assessed when it
arrives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import UTCDateTime


class VitalReading(ExternalIdMixin, TimestampMixin, db.Model):
    """One measurement. `readings` use the names of followup/data/policy.yaml (systolic,
    diastolic, heart_rate, fasting_glucose, random_glucose, weight (+ height), spo2,
    temperature); `glucose_timing` says whether a
    random glucose was taken after a meal. `level` is urgent | high | normal, with `findings`
    (the criteria and targets that decided it) kept as its basis."""

    __table_args__ = (Index("ix_vital_reading_resident_time", "resident_id", "measured_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))  # blood_pressure|glucose|weight|spo2|temperature
    readings: Mapped[dict] = mapped_column(JSON)
    glucose_timing: Mapped[str | None] = mapped_column(String(16))  # fasting|after_meal|random
    symptoms: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16))  # manual | device
    level: Mapped[str] = mapped_column(String(16))
    findings: Mapped[dict] = mapped_column(JSON)
    entered_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # "<gateway account>:<the device's id of the reading>": a gateway posting twice is one row.
    device_reading_id: Mapped[str | None] = mapped_column(String(160), unique=True)
