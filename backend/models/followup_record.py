"""Follow-up visits as the standard's 随访服务记录表 keeps them, their classification per
programme, and the follow-up tasks the daily due-scan opens.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.resident import ProgrammeEnrolment, Resident
from backend.models.staff import StaffUser
from backend.models.types import UTCDateTime


class FollowUpMethod(enum.StrEnum):
    """随访方式 of the record form."""

    CLINIC = "clinic"  # 门诊
    HOME = "home"  # 家庭
    PHONE = "phone"  # 电话
    QUESTIONNAIRE = "questionnaire"  # 居民在线问卷，经责任医生审核


class FollowUpRecord(ExternalIdMixin, TimestampMixin, db.Model):
    """One follow-up visit of one resident (随访服务记录表), for one or both programmes.

    `readings` use the names of followup/data/policy.yaml; `lifestyle` holds the form's
    生活方式指导 (smoking, drinking, exercise, salt, staple food, psychological adjustment,
    遵医行为) as given and as targeted; `medications` is what the resident takes after the
    visit (用药情况)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    age: Mapped[int] = mapped_column(Integer)
    readings: Mapped[dict] = mapped_column(JSON)
    body: Mapped[dict] = mapped_column(JSON, default=dict)  # weight_kg, height_cm, foot_pulse…
    tests: Mapped[dict] = mapped_column(JSON, default=dict)  # 辅助检查: hba1c, …
    symptoms: Mapped[list] = mapped_column(JSON, default=list)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    lifestyle: Mapped[dict] = mapped_column(JSON, default=dict)
    adherence: Mapped[str] = mapped_column(String(16))  # 服药依从性: regular | intermittent | none
    medications: Mapped[list] = mapped_column(JSON, default=list)
    # 低血糖反应 (diabetes): none | occasional | frequent
    hypoglycaemia: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    urgent_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    next_followup_on: Mapped[date] = mapped_column(Date)
    next_followup_rule: Mapped[str] = mapped_column(String(80))
    # "pending" (待医生确认) for a record the AI caller made; None once a doctor confirmed it
    # or for one a doctor recorded.
    review_status: Mapped[str | None] = mapped_column(String(16))

    resident: Mapped[Resident] = relationship()
    doctor: Mapped[StaffUser] = relationship()
    outcomes: Mapped[list[FollowUpOutcome]] = relationship(back_populates="record",
                                                           order_by="FollowUpOutcome.id")


class FollowUpOutcome(db.Model):
    """此次随访分类 of one programme at one visit, with what followed and why (the decisions of
    followup.classify, stored so the doctor sees the same basis later)."""

    __table_args__ = (UniqueConstraint("record_id", "enrolment_id"),
                      Index("ix_follow_up_outcome_enrolment_visit", "enrolment_id",
                            "visited_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("follow_up_record.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("programme_enrolment.id"))
    programme: Mapped[str] = mapped_column(String(32))
    visited_on: Mapped[date] = mapped_column(Date)
    follow_up_class: Mapped[str] = mapped_column(String(32))
    class_name: Mapped[str] = mapped_column(String(16))
    control_satisfied: Mapped[bool] = mapped_column(Boolean)
    adverse_reaction: Mapped[bool] = mapped_column(Boolean)
    adverse_reactions: Mapped[list] = mapped_column(JSON, default=list)
    complications: Mapped[list] = mapped_column(JSON, default=list)
    medication_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    referral: Mapped[str | None] = mapped_column(String(16))
    decisions: Mapped[list] = mapped_column(JSON)  # [{"rule", "says", "basis"}]
    emergencies: Mapped[list] = mapped_column(JSON)
    next_followup_on: Mapped[date] = mapped_column(Date)
    next_followup_rule: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))

    record: Mapped[FollowUpRecord] = relationship(back_populates="outcomes")
    enrolment: Mapped[ProgrammeEnrolment] = relationship()


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"  # a follow-up was recorded
    CANCELLED = "cancelled"  # the enrolment ended


class FollowUpTask(ExternalIdMixin, TimestampMixin, db.Model):
    """A follow-up the responsible doctor owes (随访任务), opened by the daily due-scan when an
    enrolment's `next_due_on` comes near. One per enrolment and due date, so a scan run twice
    opens nothing new."""

    __table_args__ = (
        UniqueConstraint("enrolment_id", "due_on"),
        Index("ix_follow_up_task_open_by_doctor", "doctor_id", "due_on",
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
        Index("ix_follow_up_task_to_escalate", "due_on",
              postgresql_where=text("status = 'open' AND escalated_at IS NULL"),
              sqlite_where=text("status = 'open' AND escalated_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("programme_enrolment.id"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    due_rule: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN.value)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_record.id"))
    # Why the doctor must reach the resident in person (no reminder reached them), e.g.
    # "短信未送达（停机）": shown on the worklist.
    unreached_note: Mapped[str | None] = mapped_column(String(200))

    enrolment: Mapped[ProgrammeEnrolment] = relationship()
    doctor: Mapped[StaffUser] = relationship()
