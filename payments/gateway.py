"""The one interface every payment channel implements, and the registry that names them.

WeChat Pay (API v3) and Alipay are the first gateways; medical-insurance mobile payment
(医保移动支付) and commercial insurance slot in later as further `PaymentGateway` subclasses.
Gateways are built by the backend from its config and passed in; nothing here reads the
environment or a database.
Amounts are integer fen throughout.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class PaymentError(Exception):
    """The gateway refused a call or could not be reached; `transient` says whether to retry."""

    def __init__(self, message: str, *, code: str | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient


class InvalidNotification(PaymentError):
    """A callback whose signature, certificate serial, timestamp or ciphertext does not verify.

    Never act on it; log it and answer the gateway with a failure.
    """


class TradeState(StrEnum):
    """What the gateway says about a payment, in our words."""

    NOT_PAID = "not_paid"  # created, waiting for the user (WeChat NOTPAY, Alipay WAIT_BUYER_PAY)
    PAID = "paid"  # WeChat SUCCESS, Alipay TRADE_SUCCESS / TRADE_FINISHED
    CLOSED = "closed"  # closed unpaid (WeChat CLOSED, Alipay TRADE_CLOSED without a refund)
    REFUNDED = "refunded"  # paid and then refunded in full (WeChat REFUND, Alipay refunded+closed)
    UNKNOWN = "unknown"  # the gateway has no such order


class RefundState(StrEnum):
    PROCESSING = "processing"
    SUCCESS = "success"
    FAILED = "failed"  # WeChat ABNORMAL/CLOSED: money did not go back; a person must look


@dataclass(frozen=True)
class OrderRequest:
    """What the backend asks a gateway to charge."""

    out_trade_no: str  # our order number, unique per merchant, 6–32 chars [0-9A-Za-z_-]
    amount_fen: int
    description: str  # shown to the payer, e.g. "华康市第一人民医院 心血管内科 挂号费"
    payer_id: str  # WeChat openid / Alipay buyer user id or open id
    notify_url: str
    expires_at: datetime  # aware; the gateway closes the order after this


@dataclass(frozen=True)
class ClientPayment:
    """Exactly what the mini-program passes to `wx.requestPayment` / `my.tradePay`."""

    channel: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class PaymentStatus:
    """A trade as the gateway reports it, by query or by notification."""

    out_trade_no: str
    state: TradeState
    transaction_id: str | None = None  # the gateway's own trade number
    amount_fen: int | None = None
    paid_at: datetime | None = None
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundRequest:
    out_trade_no: str
    out_refund_no: str  # our refund number, unique per merchant
    refund_fen: int
    total_fen: int
    reason: str
    notify_url: str


@dataclass(frozen=True)
class RefundStatus:
    out_trade_no: str
    out_refund_no: str
    state: RefundState
    refund_fen: int
    refund_id: str | None = None
    refunded_at: datetime | None = None
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """A verified callback: a payment result or a refund result (exactly one is set)."""

    payment: PaymentStatus | None = None
    refund: RefundStatus | None = None
    notification_id: str | None = None  # the gateway's own id, when it sends one


@dataclass(frozen=True)
class NotificationAck:
    """The HTTP answer the gateway expects, so it stops (success) or retries (failure)."""

    status: int
    body: str
    content_type: str


@dataclass(frozen=True)
class BillLine:
    """One line of the gateway's daily bill (对账单): a payment or a refund."""

    kind: str  # "payment" | "refund"
    out_trade_no: str
    amount_fen: int  # positive; for a refund, the amount returned
    transaction_id: str | None = None
    out_refund_no: str | None = None
    occurred_at: datetime | None = None


class PaymentGateway(ABC):
    """One payment channel. Implementations wrap the vendor's SDK and speak its protocol."""

    channel: str

    @abstractmethod
    def create_order(self, order: OrderRequest) -> ClientPayment:
        """Place the order with the gateway and return the mini-program's payment parameters."""

    @abstractmethod
    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Verify a callback's signature (and decrypt it) or raise `InvalidNotification`."""

    @abstractmethod
    def acknowledge(self, ok: bool) -> NotificationAck:
        """The answer to a callback: success stops the gateway's retries."""

    @abstractmethod
    def query(self, out_trade_no: str) -> PaymentStatus:
        """Ask the gateway for the trade's state (repairs a missed notification)."""

    @abstractmethod
    def close(self, out_trade_no: str) -> None:
        """Close an unpaid order so it can no longer be paid; closing a closed one is fine."""

    @abstractmethod
    def refund(self, refund: RefundRequest) -> RefundStatus:
        """Ask for a refund to the original payer; repeating the same out_refund_no is safe."""

    @abstractmethod
    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundStatus:
        """Ask for a refund's state."""

    @abstractmethod
    def download_bill(self, day: date) -> list[BillLine]:
        """The day's bill (China Standard Time) as lines, for reconciliation."""


class GatewayRegistry:
    """The configured gateways by channel name ("wechat", "alipay", later "medical_insurance")."""

    def __init__(self, gateways: Mapping[str, PaymentGateway] | None = None) -> None:
        self._gateways: dict[str, PaymentGateway] = dict(gateways or {})

    def register(self, gateway: PaymentGateway) -> None:
        self._gateways[gateway.channel] = gateway

    def get(self, channel: str) -> PaymentGateway:
        try:
            return self._gateways[channel]
        except KeyError:
            raise PaymentError(f"payment channel {channel!r} is not configured",
                               code="channel_not_configured") from None

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(sorted(self._gateways))
