"""Laboratory and imaging reports (检验检查报告) from the hospital's LIS/PACS, their history,
the messages we could not take (dead letters), and how hospital patient ids map to 就诊人.

A report is keyed by (organization, accession = filler order number), so a replayed message
finds the row it already made. Replaced values are kept in `ReportRevision`, never overwritten
without a trace. Identifiers from the message are stored only as blind indexes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.account import PatientProfile
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.staff import StaffUser
from backend.models.types import EncryptedText, UTCDateTime


class Report(ExternalIdMixin, TimestampMixin, db.Model):
    """One report as the hospital issued it, at its latest version."""

    __table_args__ = (UniqueConstraint("organization_id", "accession"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    accession: Mapped[str] = mapped_column(String(64))  # filler order number (OBR-3)
    placer_order: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    hospital_patient_index: Mapped[str | None] = mapped_column(String(64), index=True)
    resident_index: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # lab | imaging
    title: Mapped[str] = mapped_column(String(100))
    service_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # preliminary | final | corrected | cancelled
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    findings: Mapped[str | None] = mapped_column(Text)  # 检查所见
    conclusion: Mapped[str | None] = mapped_column(Text)  # 诊断意见
    ordering_clinician_code: Mapped[str | None] = mapped_column(String(32))
    ordering_clinician_name: Mapped[str | None] = mapped_column(String(50))
    department_code: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    fingerprint: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8))  # hl7 | fhir
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    results: Mapped[list[ReportResult]] = relationship(
        order_by="ReportResult.seq", cascade="all, delete-orphan")
    patient: Mapped[PatientProfile | None] = relationship()


class ReportResult(db.Model):
    """One value of a report (OBX / Observation), as the lab sent it."""

    __table_args__ = (UniqueConstraint("report_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"),
                                           index=True)
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    loinc: Mapped[str | None] = mapped_column(String(16))
    test_code: Mapped[str | None] = mapped_column(String(32), index=True)  # ours, for trends
    value_type: Mapped[str] = mapped_column(String(4))
    value: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(32))
    reference_range: Mapped[str | None] = mapped_column(String(64))
    lab_flag: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(2))


class ReportRevision(TimestampMixin, db.Model):
    """A version that was replaced (by the final, a correction or a cancellation), kept whole."""

    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_because: Mapped[str] = mapped_column(String(16))  # update | correct | cancel
    snapshot: Mapped[dict] = mapped_column(JSON)


class InboundDeadLetter(ExternalIdMixin, TimestampMixin, db.Model):
    """A message we could not take, with why; kept (encrypted) for an admin to fix and resend."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"),
                                                        index=True)
    channel: Mapped[str] = mapped_column(String(8))  # hl7 | fhir
    control_id: Mapped[str | None] = mapped_column(String(64))  # MSH-10 / Bundle.identifier
    reason: Mapped[str] = mapped_column(String(500))
    payload: Mapped[str] = mapped_column(EncryptedText)
    redriven_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # taken on a resend


class PatientLink(TimestampMixin, db.Model):
    """A hospital's own patient id (病案号/门诊号, as a blind index) known to be this 就诊人."""

    __table_args__ = (UniqueConstraint("organization_id", "hospital_patient_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    hospital_patient_index: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)


class CriticalAlert(ExternalIdMixin, TimestampMixin, db.Model):
    """A critical value (危急值) on its way to a clinician, tracked until acknowledged.

    level 0: the ordering clinician (and their department sees it); 1: the department's other
    clinicians; 2: the department head; 3: the hospital's medical affairs (hospital admins).
    `next_escalation_at` is the row the periodic dispatch scans: a restart loses nothing.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    department_code: Mapped[str | None] = mapped_column(String(32))
    test_code: Mapped[str] = mapped_column(String(64))
    test_name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | acknowledged
    level: Mapped[int] = mapped_column(Integer, default=0)
    assigned_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    clinician_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(String(200))
    patient_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[Report] = relationship()
    messages: Mapped[list[ClinicianMessage]] = relationship(
        back_populates="alert", order_by="ClinicianMessage.id")


class ClinicianMessage(ExternalIdMixin, TimestampMixin, db.Model):
    """A critical value told to one member of staff on WeCom (企业微信): an outbox row written
    with the alert or its escalation step, sent by a job, never twice.

    status: pending → sent | failed (WeCom refused, or gave up after retries) | skipped (no
    WeCom account, or WeCom not configured) | withdrawn (acknowledged before it went out).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    critical_alert_id: Mapped[int] = mapped_column(ForeignKey("critical_alert.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16), default="wecom")
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[CriticalAlert] = relationship(back_populates="messages")
    staff: Mapped[StaffUser] = relationship()
