"""The payment ledger: orders (integer fen), every state change, and reconciliation differences.

An order's states are `payments.orders.OrderState`; only `services.payments` moves them, and each
move writes a `PaymentTransition` in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import ExternalIdMixin, TimestampMixin
from backend.models.booking import Booking
from backend.models.types import UTCDateTime
from backend.timeutil import utcnow


class PaymentOrder(ExternalIdMixin, TimestampMixin, db.Model):
    __table_args__ = (
        UniqueConstraint("booking_id", "idempotency_key"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("refund_fen >= 0 AND refund_fen <= amount_fen", name="refund_within_paid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True, default="created")
    payer_id: Mapped[str] = mapped_column(String(64))
    client_params: Mapped[dict | None] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    out_refund_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    refund_fen: Mapped[int] = mapped_column(Integer, default=0)
    refund_reason: Mapped[str | None] = mapped_column(String(200))
    refund_id: Mapped[str | None] = mapped_column(String(64))
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()
    transitions: Mapped[list[PaymentTransition]] = relationship(
        back_populates="order", order_by="PaymentTransition.id")


class PaymentTransition(db.Model):
    """One move of an order's state, with who caused it (api, notify, query, job, reconcile)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_order.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[PaymentOrder] = relationship(back_populates="transitions")


class ReconciliationMismatch(ExternalIdMixin, TimestampMixin, db.Model):
    """One difference between a gateway's daily bill and our ledger, for a hospital admin."""

    __table_args__ = (UniqueConstraint("channel", "bill_date", "line_kind", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"),
                                                        index=True)
    channel: Mapped[str] = mapped_column(String(16))
    bill_date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    line_kind: Mapped[str] = mapped_column(String(16))
    out_trade_no: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(32))
    gateway_fen: Mapped[int | None] = mapped_column(Integer)
    ledger_fen: Mapped[int | None] = mapped_column(Integer)
