"""The payment ledger: place orders with a gateway and apply what gateways report.

Every change goes through `_move`, which asks `payments.orders.decide` and writes a
`PaymentTransition`; orders and bookings are locked (order first, then booking) so a notification,
a query and the expiry job racing for the same order apply exactly once, in one order.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict, ServiceUnavailable, ValidationFailed
from backend.extensions import db
from backend.models import Account, AdminAlert, Booking, BookingStatus, PaymentOrder
from backend.models.payment import PaymentTransition
from backend.services import audit, bookings, messages
from backend.services.deferred import commit, defer
from backend.timeutil import as_utc, utcnow
from backend.vendor_clients import vendor_clients
from payments.gateway import (
    GatewayRegistry,
    InvalidNotification,
    NotificationAck,
    OrderRequest,
    PaymentError,
    PaymentStatus,
    RefundRequest,
    RefundState,
    RefundStatus,
    TradeState,
)
from payments.orders import OrderState, decide

log = logging.getLogger(__name__)


def registry() -> GatewayRegistry:
    return vendor_clients().payments


def _number(prefix: str) -> str:
    """A merchant-unique number in the gateways' alphabet: prefix + date + 20 hex = 30 chars."""
    return f"{prefix}{utcnow():%Y%m%d}{secrets.token_hex(10)}"


def _move(order: PaymentOrder, target: OrderState, source: str, reason: str | None = None,
          *, stale_ok: bool = False) -> bool:
    move = decide(order.status, target, stale_ok=stale_ok)
    if move.changed:
        db.session.add(PaymentTransition(order=order, from_status=order.status,
                                         to_status=target, source=source, reason=reason))
        order.status = target
    return move.changed


def _payer_id(account: Account, channel: str) -> str:
    payer = account.wechat_openid if channel == "wechat" else account.alipay_user_id
    if not payer:
        name = "微信" if channel == "wechat" else "支付宝"
        raise Conflict(f"请在{name}里登录后再用{name}支付。", code="payer_unknown", field="channel")
    return payer


def start(principal: Principal, booking_id, channel: str, key: str | None) -> PaymentOrder:
    """Place (or find again) the order for a held booking and return it with client params."""
    booking = bookings.get(principal, booking_id)
    if channel not in registry().channels:
        raise ValidationFailed("暂不支持这种支付方式。", field="channel")
    if booking.status != BookingStatus.HELD or as_utc(booking.hold_expires_at) <= utcnow():
        raise Conflict("这个预约已经不能支付了，请刷新看看。", code="not_payable")
    order = db.session.execute(select(PaymentOrder).where(
        PaymentOrder.booking_id == booking.id, PaymentOrder.channel == channel,
        PaymentOrder.status == OrderState.CREATED).order_by(PaymentOrder.id.desc())
        .limit(1)).scalar_one_or_none()
    if order is not None and order.client_params:
        return order
    if order is None:
        order = PaymentOrder(booking_id=booking.id, organization_id=booking.organization_id,
                             channel=channel, out_trade_no=_number("FD"), idempotency_key=key,
                             amount_fen=booking.fee_fen, status=OrderState.CREATED,
                             payer_id=_payer_id(db.session.get(Account, principal.account_id),
                                                channel),
                             expires_at=booking.hold_expires_at)
        db.session.add(order)
        db.session.add(PaymentTransition(order=order, from_status="", to_status="created",
                                         source="api"))
        audit.record("payment.create", "booking", str(booking.external_id),
                     {"channel": channel, "amount_fen": booking.fee_fen})
        db.session.commit()
    request = OrderRequest(
        out_trade_no=order.out_trade_no, amount_fen=order.amount_fen,
        description=f"{booking.organization.name} {booking.department.name} 挂号费",
        payer_id=order.payer_id, notify_url=notify_url(channel),
        expires_at=as_utc(order.expires_at))
    try:
        client = registry().get(channel).create_order(request)
    except PaymentError as exc:
        log.warning("gateway refused an order", extra={"channel": channel, "code": exc.code,
                                                       "out_trade_no": order.out_trade_no})
        raise ServiceUnavailable("支付暂时不可用，请稍后再试。",
                                 code="payment_unavailable") from None
    order.client_params = dict(client.params)
    db.session.commit()
    return order


def notify_url(channel: str) -> str:
    return f"{current_app.config['PAYMENT_NOTIFY_BASE_URL'].rstrip('/')}/api/v1/notify/{channel}"


def handle_notification(channel: str, headers, body: bytes) -> NotificationAck:
    """Verify and apply one gateway callback; a replay is applied once and answered "success"."""
    gateway = registry().get(channel)
    try:
        note = gateway.parse_notification(headers, body)
    except InvalidNotification as exc:
        log.warning("payment notification rejected",
                    extra={"channel": channel, "reason": str(exc)})
        return gateway.acknowledge(False)
    try:
        if note.payment is not None:
            apply_payment(note.payment, source="notify")
        if note.refund is not None:
            apply_refund(note.refund, source="notify")
    except Exception:  # the gateway retries; our state is unchanged by the rollback
        db.session.rollback()
        log.exception("payment notification could not be applied", extra={"channel": channel})
        return gateway.acknowledge(False)
    return gateway.acknowledge(True)


def _locked_order(out_trade_no: str) -> PaymentOrder | None:
    order = db.session.execute(select(PaymentOrder).where(
        PaymentOrder.out_trade_no == out_trade_no).with_for_update()).scalar_one_or_none()
    if order is None:
        log.error("gateway reported an order we do not have", extra={"out_trade_no": out_trade_no})
    return order


def _alert(order: PaymentOrder, kind: str, message: str) -> None:
    db.session.add(AdminAlert(organization_id=order.organization_id, kind=kind,
                              subject_id=order.out_trade_no, message=message))
    log.error(message, extra={"out_trade_no": order.out_trade_no, "kind": kind})


def apply_payment(status: PaymentStatus, source: str) -> None:
    order = _locked_order(status.out_trade_no)
    if order is None:
        db.session.rollback()
        return
    if status.state == TradeState.PAID:
        if status.amount_fen is not None and status.amount_fen != order.amount_fen:
            _alert(order, "payment_amount_mismatch",
                   f"支付金额不符：订单 {order.amount_fen} 分，网关 {status.amount_fen} 分")
        else:
            _record_paid(order, status, source)
    elif status.state == TradeState.CLOSED and order.status == OrderState.CREATED:
        _move(order, OrderState.CLOSED, source, "网关已关闭订单")
    commit()


def _record_paid(order: PaymentOrder, status: PaymentStatus, source: str) -> None:
    if not _move(order, OrderState.PAID, source, stale_ok=True):
        return
    order.transaction_id = status.transaction_id
    order.paid_at = status.paid_at or utcnow()
    booking = bookings.lock(order.booking_id)
    refusal = _confirm_or_refusal(booking, order)
    if refusal:
        request_refund(order, refusal, source)
        messages.notify(booking, "late_refund", {"reason": refusal})
    audit.record("payment.paid", "booking", str(booking.external_id),
                 {"out_trade_no": order.out_trade_no, "source": source, "refund": refusal})


def _confirm_or_refusal(booking: Booking, order: PaymentOrder) -> str | None:
    """Confirm the booking the money is for, or say why the money must go back."""
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN):
        return "这个预约已经付过款，重复支付的钱会原路退回。"
    if booking.status == BookingStatus.EXPIRED:
        savepoint = db.session.begin_nested()
        try:
            retaken = bookings.retake_slot(booking)
            if retaken:
                booking.status, booking.ended_at = BookingStatus.HELD, None
                booking.end_reason = None
                db.session.flush()
        except Exception:  # the person booked the same department that day meanwhile
            savepoint.rollback()
            retaken = False
        if not retaken:
            return "付款时预约已超时，号已被别人约走，钱会原路退回。"
    elif booking.status != BookingStatus.HELD:
        reasons = {BookingStatus.CANCELLED: "预约已经取消，钱会原路退回。",
                   BookingStatus.STOPPED: "医生停诊了，钱会原路退回。"}
        return reasons.get(booking.status, "这个预约已经结束，钱会原路退回。")
    booking.status, booking.confirmed_at, booking.hold_expires_at = (
        BookingStatus.CONFIRMED, utcnow(), None)
    messages.notify(booking, "booked", {})
    return None


def request_refund(order: PaymentOrder, reason: str, source: str) -> None:
    """Mark a paid order refunding; the refund is sent to the gateway once this commits."""
    if _move(order, OrderState.REFUNDING, source, reason):
        order.out_refund_no = _number("RF")
        order.refund_fen, order.refund_reason = order.amount_fen, reason
        defer("backend.jobs.payments:submit_refund", order.id, queue="payments")


def submit_refund(order_id: int) -> str:
    """Ask the gateway to refund; safe to repeat (the gateway dedupes on out_refund_no)."""
    order = db.session.get(PaymentOrder, order_id)
    if order is None or order.status != OrderState.REFUNDING:
        return "nothing-to-do"
    try:
        result = registry().get(order.channel).refund(RefundRequest(
            out_trade_no=order.out_trade_no, out_refund_no=order.out_refund_no,
            refund_fen=order.refund_fen, total_fen=order.amount_fen,
            reason=order.refund_reason or "退款", notify_url=notify_url(order.channel)))
    except PaymentError as exc:
        if exc.transient:
            raise
        locked = _locked_order(order.out_trade_no)
        _alert(locked, "refund_refused", f"退款被支付渠道拒绝：{exc.code or exc}")
        commit()
        return "refused"
    apply_refund(result, source="api")
    return result.state


def apply_refund(refund: RefundStatus, source: str) -> None:
    order = _locked_order(refund.out_trade_no)
    if order is None:
        db.session.rollback()
        return
    if order.out_refund_no and refund.out_refund_no != order.out_refund_no:
        _alert(order, "refund_unknown", f"收到不认识的退款单 {refund.out_refund_no}")
    elif refund.state == RefundState.SUCCESS:
        _record_refunded(order, refund, source)
    elif refund.state == RefundState.FAILED and order.status == OrderState.REFUNDING:
        _move(order, OrderState.PAID, source, "退款失败")
        _alert(order, "refund_failed", "退款没有成功，请人工处理。")
    commit()


def _record_refunded(order: PaymentOrder, refund: RefundStatus, source: str) -> None:
    if order.status in (OrderState.CREATED, OrderState.CLOSED):
        # Out of order: the refund's news came before the payment's. The refund proves both.
        _move(order, OrderState.PAID, source, "退款通知先于支付通知到达")
        order.paid_at = order.paid_at or utcnow()
        booking = bookings.lock(order.booking_id)
        if booking.status == BookingStatus.HELD:
            bookings.end(booking, BookingStatus.CANCELLED, "款项已退回")
    if order.status == OrderState.PAID:
        _move(order, OrderState.REFUNDING, source, refund_reason(order))
        order.out_refund_no = order.out_refund_no or refund.out_refund_no
        order.refund_fen = refund.refund_fen
    if _move(order, OrderState.REFUNDED, source, stale_ok=True):
        order.refund_id, order.refunded_at = refund.refund_id, refund.refunded_at or utcnow()
        messages.notify(bookings.lock(order.booking_id), "refunded",
                        {"amount_fen": order.refund_fen, "reason": refund_reason(order)},
                        dedupe=order.out_refund_no)


def refund_reason(order: PaymentOrder) -> str:
    return order.refund_reason or "退款"


def closing_orders(booking: Booking, source: str, reason: str) -> list[PaymentOrder]:
    """Close the booking's unpaid orders locally; returns them so the gateway is told too."""
    orders = db.session.execute(select(PaymentOrder).where(
        PaymentOrder.booking_id == booking.id,
        PaymentOrder.status == OrderState.CREATED).with_for_update()).scalars().all()
    for order in orders:
        _move(order, OrderState.CLOSED, source, reason)
    return list(orders)


def paid_order(booking: Booking) -> PaymentOrder | None:
    return db.session.execute(select(PaymentOrder).where(
        PaymentOrder.booking_id == booking.id, PaymentOrder.status == OrderState.PAID)
        .with_for_update()).scalars().first()


def latest_order(booking: Booking) -> PaymentOrder | None:
    return db.session.execute(select(PaymentOrder).where(PaymentOrder.booking_id == booking.id)
                              .order_by(PaymentOrder.id.desc()).limit(1)).scalar_one_or_none()


def query_gateway(order: PaymentOrder) -> PaymentStatus | None:
    try:
        return registry().get(order.channel).query(order.out_trade_no)
    except PaymentError as exc:
        log.warning("payment query failed", extra={"out_trade_no": order.out_trade_no,
                                                    "code": exc.code})
        return None


def close_at_gateway(order_id: int) -> None:
    order = db.session.get(PaymentOrder, order_id)
    try:
        registry().get(order.channel).close(order.out_trade_no)
    except PaymentError as exc:  # a payment that beats the close is refunded when it is reported
        log.warning("payment close failed", extra={"out_trade_no": order.out_trade_no,
                                                    "code": exc.code})


def repair_candidates(older_than_minutes: int = 2, limit: int = 500) -> list[int]:
    """Orders whose news may have been lost: unpaid ones past a short grace, and refunds that
    have not finished (a crash between the gateway's success and our commit lands here)."""
    cutoff = utcnow() - timedelta(minutes=older_than_minutes)
    return list(db.session.execute(select(PaymentOrder.id).where(
        PaymentOrder.status.in_((OrderState.CREATED, OrderState.REFUNDING)),
        PaymentOrder.updated_at <= cutoff).order_by(PaymentOrder.id).limit(limit)).scalars())


def repair(order_id: int) -> str:
    """Ask the gateway what really happened to one order and apply it."""
    order = db.session.get(PaymentOrder, order_id)
    if order is None:
        return "missing"
    if order.status == OrderState.REFUNDING:
        return submit_refund(order_id)
    if order.status != OrderState.CREATED:
        return order.status
    status = query_gateway(order)
    if status is None:
        return "unreachable"
    if status.state in (TradeState.PAID, TradeState.REFUNDED):
        apply_payment(PaymentStatus(status.out_trade_no, TradeState.PAID, status.transaction_id,
                                    status.amount_fen, status.paid_at), source="query")
        return "paid"
    if status.state in (TradeState.CLOSED, TradeState.UNKNOWN) or \
            as_utc(order.expires_at) <= utcnow():
        locked = _locked_order(order.out_trade_no)
        _move(locked, OrderState.CLOSED, "query", "网关未收到付款")
        commit()
        if status.state == TradeState.NOT_PAID:
            close_at_gateway(order_id)
        return "closed"
    order.updated_at = utcnow()  # look again after the next grace period
    db.session.commit()
    return "waiting"
