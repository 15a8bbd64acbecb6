"""Children's vaccination at the community clinic (接种门诊): doses on record, imports from the
immunisation information system, the due dates scanned by the reminder job, the pre-vaccination
health questionnaire and the after-care report.

A dose is recorded once: (child, vaccine, 剂次, date) is unique, so a re-imported file or a
double tap at the clinic cannot add it twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.account import PatientProfile
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import UTCDateTime


class VaccinationImport(ExternalIdMixin, TimestampMixin, db.Model):
    """One file from the immunisation information system (免疫规划信息系统), taken whole or not
    at all. Importing a file again adds only what is new (doses are unique), e.g. for a child
    whose parent has registered since; the SM3 digest names the file in the audit log."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    filename: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    already_known: Mapped[int] = mapped_column(Integer)


class VaccinationRecord(ExternalIdMixin, TimestampMixin, db.Model):
    """A dose a child received (接种记录), imported or entered by the clinic."""

    __table_args__ = (UniqueConstraint("patient_id", "vaccine", "dose", "given_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    vaccine: Mapped[str] = mapped_column(String(32))  # code in vaccination/data/programme.yaml
    dose: Mapped[int] = mapped_column(Integer)  # 剂次 as written
    given_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))  # import | clinic
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("vaccination_import.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    lot_number: Mapped[str | None] = mapped_column(String(40))  # 疫苗批号
    manufacturer: Mapped[str | None] = mapped_column(String(60))
    site: Mapped[str | None] = mapped_column(String(40))  # 接种部位
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the clinic's doses only
    observe_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 留观 ends

    patient: Mapped[PatientProfile] = relationship()


class VaccinationDue(TimestampMixin, db.Model):
    """A per-child due date the dispatch job scans (`next_due_at`): the schedule reminder (one
    row per child, moved on after each message), the end of 留观 and the after-care call (one
    row per dose). `done_at` set: nothing left to send."""

    __table_args__ = (
        UniqueConstraint("patient_id", "kind", "record_id"),
        Index("ix_vaccination_due_pending", "next_due_at",
              postgresql_where=text("done_at IS NULL"), sqlite_where=text("done_at IS NULL")),
        Index("uq_vaccination_due_one_schedule_row", "patient_id", unique=True,
              postgresql_where=text("kind = 'schedule'"), sqlite_where=text("kind = 'schedule'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # schedule | observation | after_care
    record_id: Mapped[int | None] = mapped_column(ForeignKey("vaccination_record.id"))
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent: Mapped[list] = mapped_column(JSON, default=list)  # schedule events already told


class VaccinationScreening(ExternalIdMixin, TimestampMixin, db.Model):
    """The pre-vaccination health questionnaire (接种前健康询问), answered by the parent for one
    booking; items needing the doctor's decision are kept apart so the clinic sees them first."""

    __table_args__ = (UniqueConstraint("booking_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    question_set: Mapped[str] = mapped_column(String(40))  # version of the question file
    answers: Mapped[dict] = mapped_column(JSON)
    for_doctor: Mapped[list] = mapped_column(JSON)  # ids of answers needing a decision
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    patient: Mapped[PatientProfile] = relationship()


class AfterCareReport(ExternalIdMixin, TimestampMixin, db.Model):
    """The parent's answers 24–48 hours after a dose; serious ones make it a suspected adverse
    event following immunisation (疑似预防接种异常反应, AEFI) for the clinic to review."""

    __table_args__ = (UniqueConstraint("record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("vaccination_record.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON)
    serious: Mapped[list] = mapped_column(JSON)  # ids of the answers that made it serious
    suspected_aefi: Mapped[bool] = mapped_column(default=False)
    review_status: Mapped[str | None] = mapped_column(String(16))  # open | reviewed (AEFI only)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(String(500))

    record: Mapped[VaccinationRecord] = relationship()
