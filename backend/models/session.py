"""Server-side login sessions, so a signed token can still be revoked at logout."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import ExternalIdMixin
from backend.models.types import UTCDateTime
from backend.timeutil import utcnow


class PrincipalKind(enum.StrEnum):
    ACCOUNT = "account"
    STAFF = "staff"


class AuthSession(ExternalIdMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # wechat / alipay / console
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
