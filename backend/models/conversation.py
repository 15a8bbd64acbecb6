"""Conversation sessions with the assistant, and the pre-visit notes they produce."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.account import PatientProfile
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import UTCDateTime

if TYPE_CHECKING:
    from backend.models.emr import EmrDelivery


class ConversationSession(ExternalIdMixin, TimestampMixin, db.Model):
    """A triage or pre-consultation dialogue; `state` is the whole resumable dialogue state.

    Messages to one session are serialised by a row lock; `version` counts them, so a client
    can tell that another device answered in the meantime.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    mode: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20))
    state: Mapped[dict] = mapped_column(JSON)
    last_turn: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    red_flag_rule: Mapped[str | None] = mapped_column(String(64), index=True)
    red_flag_words: Mapped[list | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    patient: Mapped[PatientProfile] = relationship()

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class PreVisitNote(ExternalIdMixin, TimestampMixin, db.Model):
    """A confirmed 预问诊记录. Never edited in place: an amendment is a new version."""

    __table_args__ = (UniqueConstraint("session_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("conversation_session.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient_profile.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("pre_visit_note.id"))
    slots: Mapped[list] = mapped_column(JSON)
    narrative: Mapped[str] = mapped_column(Text)
    red_flag_rule: Mapped[str | None] = mapped_column(String(64))
    amendment_reason: Mapped[str | None] = mapped_column(String(200))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[ConversationSession] = relationship()
    delivery: Mapped[EmrDelivery | None] = relationship(
        "EmrDelivery", uselist=False, viewonly=True)

    @property
    def delivery_state(self) -> str:
        """What the patient is told: 已送达医生 once the EMR has it, otherwise 等待发送."""
        return "delivered" if self.delivery and self.delivery.status == "delivered" \
            else "waiting"

    @property
    def delivery_label(self) -> str:
        return "已送达医生" if self.delivery_state == "delivered" else "等待发送"
