"""Cardiovascular risk inputs the programme file did not hold (腰围, 吸烟, 家族史, 城乡, 既往
心血管病): each entry is one dated answer, from the family doctor or the resident, kept as
given. Nothing is overwritten: the newest entry of a factor is the one used, the older ones
stay as the history a portrait's evidence may point to.

Region (north/south) is not a resident's answer: it comes from the health centre's province
(`Organization.province`, `Organization.cvd_region`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin


class RiskFactorEntry(ExternalIdMixin, TimestampMixin, db.Model):
    """`factor` and `value` are the ids of backend/services/portraits/risk_inputs.yaml;
    `source` is "doctor" (recorded by `staff_id`) or "resident" (self-reported from the
    mini-program by `account_id`)."""

    __table_args__ = (Index("ix_risk_factor_entry_latest", "resident_id", "factor",
                            "observed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    factor: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(16))
    observed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
