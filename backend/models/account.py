"""Patient accounts (one per WeChat/Alipay user) and the people they may act for (就诊人)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Date, ForeignKey, Index, String, event, orm, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.types import EncryptedString, UTCDateTime
from backend.security.masking import mask_id_number, mask_phone
from backend.timeutil import age_on, local_today


class Relationship(enum.StrEnum):
    """How the account holder relates to the patient (与本人关系)."""

    SELF = "self"
    PARENT = "parent"
    CHILD = "child"
    SPOUSE = "spouse"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    OTHER_RELATIVE = "other_relative"


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class Account(ExternalIdMixin, TimestampMixin, db.Model):
    """Who logs in: a WeChat or Alipay user of the mini-program."""

    id: Mapped[int] = mapped_column(primary_key=True)
    wechat_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    wechat_unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    alipay_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    privacy_policy_version: Mapped[str | None] = mapped_column(String(32))
    privacy_consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    profiles: Mapped[list[PatientProfile]] = orm.relationship(
        back_populates="account", order_by="PatientProfile.id"
    )


class PatientProfile(ExternalIdMixin, TimestampMixin, db.Model):
    """A real-name person an account may book and answer for (就诊人).

    The document number and phone are SM4 ciphertext; `document_index` (HMAC-SM3) is unique, so one
    person is never registered twice, by this account or another.
    """

    __table_args__ = (
        Index(
            "uq_patient_profile_one_self_per_account", "account_id", unique=True,
            postgresql_where=text("relationship = 'self' AND archived_at IS NULL"),
            sqlite_where=text("relationship = 'self' AND archived_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    relationship: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50), index=True)  # console lists sort by it
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    document_type: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str] = mapped_column(EncryptedString)
    document_index: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Blind indexes of the last four digits, so the console finds a person by "手机尾号" or
    # the visible end of a masked ID without decrypting anyone (`search_tail_indexes`).
    document_tail_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_tail_index: Mapped[str | None] = mapped_column(String(64), index=True)

    account: Mapped[Account] = orm.relationship(back_populates="profiles")

    @property
    def document_number_masked(self) -> str:
        return mask_id_number(self.document_number)

    @property
    def phone_masked(self) -> str | None:
        return mask_phone(self.phone) if self.phone else None

    @property
    def age(self) -> int:
        return age_on(self.birth_date, local_today())


TAIL_DIGITS = 4


def tail_digest(value: str, kind: str) -> str:
    """Blind index of an identifier's last four characters (`document_tail` / `phone_tail`)."""
    return current_app.extensions["blind_index"].digest(value[-TAIL_DIGITS:], kind)


@event.listens_for(PatientProfile, "before_insert")
@event.listens_for(PatientProfile, "before_update")
def search_tail_indexes(mapper, connection, profile: PatientProfile) -> None:
    """Keep the tail indexes in step with the encrypted number and phone, whoever writes them."""
    profile.document_tail_index = (tail_digest(profile.document_number, "document_tail")
                                   if profile.document_number else None)
    profile.phone_tail_index = (tail_digest(profile.phone, "phone_tail")
                                if profile.phone else None)
