"""Residents of a district under chronic-disease management (居民健康档案) and their enrolment in
a programme (高血压 / 2型糖尿病患者健康管理), with the resident's own plan.

A resident need not use the mini-program: most come from the public-health system's files. When
one also has a 就诊人 profile with the same document, `patient_id` links the two.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.account import PatientProfile
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.staff import StaffUser
from backend.models.types import EncryptedString, UTCDateTime
from backend.security.masking import mask_id_number, mask_phone
from backend.timeutil import age_on, local_today


class Programme(enum.StrEnum):
    """The programme ids of followup/data (国家基本公共卫生服务规范（第三版）)."""

    HYPERTENSION = "hypertension"  # 原发性高血压患者健康管理
    TYPE2_DIABETES = "type2_diabetes"  # 2型糖尿病患者健康管理


# 分级管理 of 《中国高血压防治指南（2010年修订版）》基层版: the level says how closely the
# family doctor follows the resident (一级 least, 三级 most); the follow-up interval itself comes
# from the standard's rules in followup/data.
MANAGEMENT_LEVELS = {1: "一级管理", 2: "二级管理", 3: "三级管理"}


# Why an enrolment ends (结案 / 终止管理).
END_REASONS = {"died": "死亡", "moved_away": "迁出", "declined": "拒绝管理",
               "diagnosis_revised": "排除诊断"}


class ResidentSource(enum.StrEnum):
    IMPORT = "import"  # the public-health system's file (`frontdoor residents import`)
    CONTRACT = "contract"  # a 就诊人 signed to a family doctor (家庭医生签约)


class Resident(ExternalIdMixin, TimestampMixin, db.Model):
    """One person of the district, managed by one community health centre.

    Identifiers are SM4 ciphertext; `document_index` (HMAC-SM3) is unique, so an import run
    twice, or a resident in two files, is one row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    health_record_number: Mapped[str | None] = mapped_column(String(32))  # 健康档案编号
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    document_type: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str] = mapped_column(EncryptedString)
    document_index: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    # Reminders by text or phone call only with the resident's consent (个人信息保护法 第十三条);
    # a number the carrier reports out of service is not tried again until it changes.
    sms_consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone_unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 随访渠道: "doctor" (the family doctor, the default) or "ai_call" (the AI caller rings
    # first; the doctor confirms). See backend/models/followup_call.py.
    followup_channel: Mapped[str] = mapped_column(String(16), default="doctor",
                                                  server_default="doctor")

    patient: Mapped[PatientProfile | None] = relationship()
    enrolments: Mapped[list[ProgrammeEnrolment]] = relationship(
        back_populates="resident", order_by="ProgrammeEnrolment.id")

    @property
    def document_number_masked(self) -> str:
        return mask_id_number(self.document_number)

    @property
    def phone_masked(self) -> str | None:
        return mask_phone(self.phone) if self.phone else None

    @property
    def age(self) -> int:
        return age_on(self.birth_date, local_today())


class ProgrammeEnrolment(ExternalIdMixin, TimestampMixin, db.Model):
    """A resident in one programme (纳入管理): who follows them up, how closely, their plan, and
    when the next follow-up is due (`next_due_on`, read by the daily due-scan).

    `plan` holds the resident's own plan: {"medications": [{"name", "dose", "times": ["07:30"]}],
    "targets": {"systolic_below": 130, …}, "monitoring": {"blood_pressure_per_week": 3, …}}.
    At most one open enrolment per resident and programme."""

    __table_args__ = (
        Index("uq_programme_enrolment_open", "resident_id", "programme", unique=True,
              postgresql_where=text("ended_on IS NULL"), sqlite_where=text("ended_on IS NULL")),
        Index("ix_programme_enrolment_due", "next_due_on",
              postgresql_where=text("ended_on IS NULL"), sqlite_where=text("ended_on IS NULL")),
        # The due-scan's cancel pass finds the few ended enrolments of an id range here.
        Index("ix_programme_enrolment_ended", "id", postgresql_where=text("ended_on IS NOT NULL"),
              sqlite_where=text("ended_on IS NOT NULL")),
        UniqueConstraint("resident_id", "programme", "enrolled_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    programme: Mapped[str] = mapped_column(String(32))
    diagnosed_on: Mapped[date] = mapped_column(Date)
    enrolled_on: Mapped[date] = mapped_column(Date)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    management_level: Mapped[int] = mapped_column(Integer)
    plan: Mapped[dict] = mapped_column(JSON, default=dict)
    plan_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_on: Mapped[date] = mapped_column(Date)
    next_due_rule: Mapped[str] = mapped_column(String(64))
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(32))

    resident: Mapped[Resident] = relationship(back_populates="enrolments")
    doctor: Mapped[StaffUser] = relationship()
