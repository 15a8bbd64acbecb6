"""Staff of the group who use the web console, and family-doctor contracts (家庭医生签约)."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.account import PatientProfile
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.organization import Organization


class StaffRole(enum.StrEnum):
    FAMILY_DOCTOR = "family_doctor"  # 家庭医生
    HOSPITAL_ADMIN = "hospital_admin"  # 医院管理员
    GROUP_AUDITOR = "group_auditor"  # 集团审计员: every organization's audit log, nothing else
    CLINICIAN = "clinician"  # 临床医生 (receives critical values of the tests they ordered)
    DEPARTMENT_HEAD = "department_head"  # 科室主任 (the last clinical step of an escalation)
    INTEGRATION = "integration"  # 接口账号: the LIS/PACS pushing results over FHIR
    VACCINATOR = "vaccinator"  # 接种医生/护士 of a 接种门诊: records doses, reads screenings


class StaffUser(ExternalIdMixin, TimestampMixin, db.Model):
    """A console user. Passwords are Argon2id hashes. `failed_login_count` counts wrong passwords
    since the last success (bursts alert the admins); a failing address waits, the account never
    locks (`services.login_throttle`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    his_code: Mapped[str | None] = mapped_column(String(32))  # 工号 as the HIS names them
    department_code: Mapped[str | None] = mapped_column(String(32))
    wecom_userid: Mapped[str | None] = mapped_column(String(64))  # 企业微信 account (危急值)

    organization: Mapped[Organization] = relationship()


class SignedResident(TimestampMixin, db.Model):
    """A resident's contract with a family doctor: the doctor may see that resident's data."""

    __table_args__ = (UniqueConstraint("staff_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    doctor: Mapped[StaffUser] = relationship()
    patient: Mapped[PatientProfile] = relationship()
