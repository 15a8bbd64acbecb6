"""Hospitals, community health centres and their departments and doctors."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin


class OrganizationKind(enum.StrEnum):
    TERTIARY_HOSPITAL = "tertiary_hospital"  # 三级医院
    SECONDARY_HOSPITAL = "secondary_hospital"  # 二级医院
    COMMUNITY_HEALTH_CENTRE = "community_health_centre"  # 社区卫生服务中心
    VILLAGE_CLINIC = "village_clinic"  # 村卫生室


class Organization(ExternalIdMixin, TimestampMixin, db.Model):
    """A hospital or health centre of the group (医疗机构)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[OrganizationKind] = mapped_column(
        Enum(OrganizationKind, native_enum=False, length=32,
             values_callable=lambda kinds: [k.value for k in kinds])
    )
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Overrides of the default booking rules (see services/booking_rules.py); None: defaults.
    booking_rules: Mapped[dict | None] = mapped_column(JSON)
    # The hospital's own report rules: {"critical_values": [rows as in reports/data/
    # critical_values.yaml], "confidential_tests": [test codes never pushed]}; None: defaults.
    report_rules: Mapped[dict | None] = mapped_column(JSON)
    # Where the centre is, for the cardiovascular risk equation's north/south term: the
    # province's GB/T 2260 code; `cvd_region` (north | south) only where the Yangtze crosses
    # the province (backend/services/portraits/regions.yaml).
    province: Mapped[str | None] = mapped_column(String(2))
    cvd_region: Mapped[str | None] = mapped_column(String(8))

    departments: Mapped[list[Department]] = relationship(
        back_populates="organization", order_by="Department.sort_order"
    )


class Department(ExternalIdMixin, TimestampMixin, db.Model):
    """A clinical department (科室) as the hospital names it."""

    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(20))  # 内科 / 外科 / 妇产 / 儿科 / 五官 / 其他
    description: Mapped[str | None] = mapped_column(String(500))
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    sex_limit: Mapped[str | None] = mapped_column(String(8))  # "female" / "male" / None
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    organization: Mapped[Organization] = relationship(back_populates="departments")
    doctors: Mapped[list[Doctor]] = relationship(back_populates="department")


class Doctor(ExternalIdMixin, TimestampMixin, db.Model):
    """A doctor who sees outpatients in a department."""

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(20))  # 主任医师 / 副主任医师 / 主治医师 / 住院医师
    specialty: Mapped[str | None] = mapped_column(String(200))

    department: Mapped[Department] = relationship(back_populates="doctors")
