"""Daily reconciliation (对账): each gateway's bill for a day against our ledger.

Every difference becomes a `ReconciliationMismatch` and an alert for the hospital's admins; a
re-run of the same day adds nothing twice. Days are China Standard Time, as the bills are.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from backend.auth import Principal
from backend.extensions import db
from backend.models import AdminAlert, PaymentOrder, ReconciliationMismatch
from backend.services.payments import registry
from backend.timeutil import CLINIC_TZ
from payments.gateway import BillLine, PaymentError
from payments.orders import OrderState
from payments.reconciliation import Mismatch, reconcile

log = logging.getLogger(__name__)

_PAID_STATES = (OrderState.PAID, OrderState.REFUNDING, OrderState.REFUNDED)
_WORDS = {"missing_locally": "渠道有记录、本地没有", "missing_at_gateway": "本地有记录、渠道没有",
          "amount_differs": "金额不一致"}


def _day_range(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), CLINIC_TZ)
    return start, start + timedelta(days=1)


def ledger(channel: str, day: date) -> list[BillLine]:
    """Our side of the day's bill: payments made and refunds completed that day."""
    start, end = _day_range(day)
    lines = []
    paid = db.session.execute(select(PaymentOrder).where(
        PaymentOrder.channel == channel, PaymentOrder.status.in_(_PAID_STATES),
        PaymentOrder.paid_at >= start, PaymentOrder.paid_at < end)).scalars()
    lines += [BillLine("payment", o.out_trade_no, o.amount_fen, o.transaction_id) for o in paid]
    refunded = db.session.execute(select(PaymentOrder).where(
        PaymentOrder.channel == channel, PaymentOrder.status == OrderState.REFUNDED,
        PaymentOrder.refunded_at >= start, PaymentOrder.refunded_at < end)).scalars()
    lines += [BillLine("refund", o.out_trade_no, o.refund_fen, o.transaction_id,
                       o.out_refund_no) for o in refunded]
    return lines


def _record(channel: str, day: date, mismatch: Mismatch) -> bool:
    exists = db.session.execute(select(ReconciliationMismatch.id).where(
        ReconciliationMismatch.channel == channel, ReconciliationMismatch.bill_date == day,
        ReconciliationMismatch.line_kind == mismatch.line_kind,
        ReconciliationMismatch.reference == mismatch.reference)).scalar_one_or_none()
    if exists is not None:
        return False
    organization_id = db.session.execute(select(PaymentOrder.organization_id).where(
        PaymentOrder.out_trade_no == mismatch.out_trade_no)).scalar_one_or_none()
    db.session.add(ReconciliationMismatch(
        organization_id=organization_id, channel=channel, bill_date=day, kind=mismatch.kind,
        line_kind=mismatch.line_kind, out_trade_no=mismatch.out_trade_no,
        reference=mismatch.reference, gateway_fen=mismatch.gateway_fen,
        ledger_fen=mismatch.ledger_fen))
    what = "付款" if mismatch.line_kind == "payment" else "退款"
    db.session.add(AdminAlert(
        organization_id=organization_id, kind="reconciliation", subject_id=mismatch.reference,
        message=f"{day:%Y-%m-%d} {channel} 对账差异（{what}，{_WORDS[mismatch.kind]}）："
                f"{mismatch.reference}，渠道 {mismatch.gateway_fen} 分，"
                f"本地 {mismatch.ledger_fen} 分"))
    return True


def reconcile_day(day: date) -> dict[str, int]:
    """Download each configured gateway's bill for `day` and record new differences; a bill
    that cannot be had is an alert (the next run tries again), not a silent gap."""
    found = {}
    for channel in registry().channels:
        try:
            bill = registry().get(channel).download_bill(day)
        except PaymentError as exc:
            log.warning("bill download failed", extra={"channel": channel, "code": exc.code,
                                                       "day": day.isoformat()})
            db.session.add(AdminAlert(kind="reconciliation_failed", subject_id=channel,
                                      message=f"{day:%Y-%m-%d} {channel} 对账单下载失败：{exc}"))
            found[channel] = -1
            continue
        mismatches = reconcile(bill, ledger(channel, day))
        found[channel] = sum(_record(channel, day, m) for m in mismatches)
        log.info("reconciled", extra={"channel": channel, "day": day.isoformat(),
                                      "bill_lines": len(bill), "mismatches": len(mismatches)})
    db.session.commit()
    return found


def list_mismatches(principal: Principal, day: date | None) -> list[ReconciliationMismatch]:
    """The admin's hospital's differences, and those no hospital could be found for."""
    query = select(ReconciliationMismatch).where(or_(
        ReconciliationMismatch.organization_id == principal.organization_id,
        ReconciliationMismatch.organization_id.is_(None)))
    if day:
        query = query.where(ReconciliationMismatch.bill_date == day)
    return list(db.session.execute(query.order_by(ReconciliationMismatch.bill_date.desc(),
                                                  ReconciliationMismatch.id).limit(500)).scalars())
