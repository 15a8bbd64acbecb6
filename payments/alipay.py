"""Alipay mini-program payments (JSAPI_PAY) over python-alipay-sdk.

The server creates the trade with `alipay.trade.create`; the mini-program pays it with
`my.tradePay({tradeNO})`; Alipay posts the result to `notify_url` as an RSA2-signed form and
retries until it reads "success". A refund is answered synchronously (`fund_change`) and is also
announced by a trade-status notification whose `out_biz_no` is our refund number.
"""

from __future__ import annotations

import http.client
import logging
import re
import urllib.error
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl

import requests
from alipay.exceptions import AliPayException, AliPayValidationError

from payments.alipay_bill import parse_trade_bill
from payments.alipay_client import (
    BEIJING,
    DEFAULT_GATEWAY_URL,
    TIME_FORMAT,
    AlipayApiError,
    AlipayMalformedResponse,
    GatewayAliPay,
    parse_beijing_time,
    to_pem,
    yuan_to_fen,
)
from payments.gateway import (
    BillLine,
    ClientPayment,
    InvalidNotification,
    Notification,
    NotificationAck,
    OrderRequest,
    PaymentError,
    PaymentGateway,
    PaymentStatus,
    RefundRequest,
    RefundState,
    RefundStatus,
    TradeState,
)
from payments.orders import fen_to_yuan

log = logging.getLogger(__name__)

USER_ID = re.compile(r"2088[0-9]{12}")  # a user_id; anything else is an app-scoped open_id
_SUBJECT_FORBIDDEN = re.compile(r"[/=&]")  # Alipay refuses these in `subject`
_TRADE_STATES = {
    "WAIT_BUYER_PAY": TradeState.NOT_PAID,
    "TRADE_SUCCESS": TradeState.PAID,
    "TRADE_FINISHED": TradeState.PAID,
    "TRADE_CLOSED": TradeState.CLOSED,
}
_TRANSIENT_SUB_CODES = frozenset({"ACQ.SYSTEM_ERROR"})  # "请使用相同的参数再次调用"
_CHARSETS = {"utf-8": "utf-8", "gbk": "gb18030", "gb2312": "gb18030"}
REFUND_NOT_FOUND = "refund_not_found"


class AlipayGateway(PaymentGateway):
    """One Alipay app's payments. Keys may be PEM or the bare base64 of Alipay's key tool;
    constructing it never touches the network."""

    channel = "alipay"

    def __init__(
        self,
        app_id: str,
        app_private_key: str,
        alipay_public_key: str,
        *,
        gateway_url: str = DEFAULT_GATEWAY_URL,
        notify_url: str | None = None,
        timeout: float = 5,
    ) -> None:
        self.app_id = app_id
        self.notify_url = notify_url  # used when an order names none
        self.timeout = timeout
        self.sdk = GatewayAliPay(
            app_id, to_pem(app_private_key, private=True),
            to_pem(alipay_public_key, private=False),
            gateway_url=gateway_url, timeout=timeout,
        )

    # -- orders -----------------------------------------------------------------------------

    def create_order(self, order: OrderRequest) -> ClientPayment:
        total = fen_to_yuan(order.amount_fen)
        if order.amount_fen <= 0:
            raise ValueError("an order must charge at least 1 fen")
        if order.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        if not order.payer_id:
            raise ValueError("an Alipay order needs the payer's user_id or open_id")
        buyer_field = "buyer_id" if USER_ID.fullmatch(order.payer_id) else "buyer_open_id"
        biz = {
            "out_trade_no": order.out_trade_no,
            "total_amount": total,
            "subject": _subject(order.description),
            "product_code": "JSAPI_PAY",
            "op_app_id": self.app_id,
            buyer_field: order.payer_id,
            "time_expire": order.expires_at.astimezone(BEIJING).strftime(TIME_FORMAT),
        }
        result = self._call("alipay.trade.create", biz,
                            notify_url=order.notify_url or self.notify_url)
        trade_no = result.get("trade_no")
        if not trade_no:
            raise PaymentError("alipay.trade.create answered without trade_no",
                               code="malformed_response")
        return ClientPayment(channel=self.channel, params={"tradeNO": str(trade_no)})

    def query(self, out_trade_no: str) -> PaymentStatus:
        try:
            result = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        except PaymentError as exc:
            if exc.code == "ACQ.TRADE_NOT_EXIST":
                return PaymentStatus(out_trade_no, TradeState.UNKNOWN)
            raise
        state = _TRADE_STATES.get(str(result.get("trade_status")))
        if state is None:
            raise PaymentError(f"unknown trade_status {result.get('trade_status')!r}",
                               code="malformed_response")
        paid_at = _answer_time(result.get("send_pay_date"))
        if state is TradeState.CLOSED and paid_at is not None:
            state = TradeState.REFUNDED  # a paid trade only closes once refunded in full
        return PaymentStatus(
            out_trade_no=out_trade_no, state=state, transaction_id=result.get("trade_no"),
            amount_fen=_answer_amount(result.get("total_amount")), paid_at=paid_at, raw=result)

    def close(self, out_trade_no: str) -> None:
        try:
            self._call("alipay.trade.close", {"out_trade_no": out_trade_no})
        except PaymentError as exc:
            if exc.code == "ACQ.TRADE_NOT_EXIST":
                return  # Alipay never took the order, so nobody can pay it
            if exc.code != "ACQ.TRADE_STATUS_ERROR":
                raise
            state = self.query(out_trade_no).state  # closed already, or paid meanwhile?
            if state in (TradeState.CLOSED, TradeState.REFUNDED):
                return
            if state is TradeState.PAID:
                raise PaymentError(f"trade {out_trade_no} is paid; refund it instead",
                                   code="ACQ.TRADE_HAS_SUCCESS") from None
            raise

    # -- refunds ----------------------------------------------------------------------------

    def refund(self, refund: RefundRequest) -> RefundStatus:
        amount = fen_to_yuan(refund.refund_fen)
        if not 0 < refund.refund_fen <= refund.total_fen:
            raise ValueError("a refund must be between 1 fen and the amount paid")
        biz = {"out_trade_no": refund.out_trade_no, "refund_amount": amount,
               "out_request_no": refund.out_refund_no}
        if refund.reason:
            biz["refund_reason"] = refund.reason[:256]
        result = self._call("alipay.trade.refund", biz)
        if result.get("fund_change") == "Y":
            return RefundStatus(
                out_trade_no=refund.out_trade_no, out_refund_no=refund.out_refund_no,
                state=RefundState.SUCCESS, refund_fen=refund.refund_fen,
                refunded_at=_answer_time(result.get("gmt_refund_pay")), raw=result)
        # "N": this out_request_no was refunded before (a repeat), or it is not done yet; the
        # refund query tells which, as Alipay's documentation asks.
        try:
            return self.query_refund(refund.out_trade_no, refund.out_refund_no)
        except PaymentError as exc:
            if exc.code != REFUND_NOT_FOUND:
                raise
            return RefundStatus(refund.out_trade_no, refund.out_refund_no,
                                RefundState.PROCESSING, refund.refund_fen, raw=result)

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundStatus:
        """REFUND_SUCCESS is final. Without `refund_amount` Alipay has not received the refund:
        PaymentError(code="refund_not_found"); repeating `refund` with the same number is safe."""
        result = self._call("alipay.trade.fastpay.refund.query", {
            "out_trade_no": out_trade_no, "out_request_no": out_refund_no,
            "query_options": ["gmt_refund_pay"]})
        if not result.get("refund_amount"):
            raise PaymentError(f"Alipay has no refund {out_refund_no} of {out_trade_no}",
                               code=REFUND_NOT_FOUND)
        success = result.get("refund_status") == "REFUND_SUCCESS"
        return RefundStatus(
            out_trade_no=out_trade_no, out_refund_no=out_refund_no,
            state=RefundState.SUCCESS if success else RefundState.PROCESSING,
            refund_fen=_answer_amount(result["refund_amount"]),
            refunded_at=_answer_time(result.get("gmt_refund_pay")), raw=result)

    # -- notifications ----------------------------------------------------------------------

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Alipay's async notification: a form signed over every non-empty field but `sign` and
        `sign_type`, sorted, by the Alipay private key."""
        params = _form(body)
        sign, sign_type = params.pop("sign", ""), params.pop("sign_type", "")
        if not sign or sign_type != "RSA2":
            raise InvalidNotification("notification without an RSA2 sign",
                                      code="invalid_signature")
        try:
            verified = self.sdk.verify({k: v for k, v in params.items() if v}, sign)
        except (AliPayException, ValueError, TypeError):
            verified = False
        if not verified:
            raise InvalidNotification("notification signature does not verify",
                                      code="invalid_signature")
        if params.get("app_id") != self.app_id:
            raise InvalidNotification(f"notification for app {params.get('app_id')!r}",
                                      code="wrong_app_id")
        try:
            return _notification(params)
        except (KeyError, ValueError) as exc:
            raise InvalidNotification(f"malformed notification: {exc}",
                                      code="malformed_notification") from None

    def acknowledge(self, ok: bool) -> NotificationAck:
        """Alipay stops retrying only on the exact body "success"."""
        return NotificationAck(200, "success" if ok else "failure", "text/plain")

    # -- bills ------------------------------------------------------------------------------

    def download_bill(self, day: date) -> list[BillLine]:
        """The day's trade bill. Alipay offers it from about 10:00 the next day; before that,
        and for days it has no bill, this raises PaymentError(code="isp.bill_not_exist")."""
        result = self._call("alipay.data.dataservice.bill.downloadurl.query",
                            {"bill_type": "trade", "bill_date": day.isoformat()})
        url = result.get("bill_download_url")
        if not url:
            raise PaymentError("bill download URL missing", code="malformed_response")
        try:
            response = requests.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PaymentError(f"bill download failed ({type(exc).__name__})", code="network",
                               transient=True) from None
        if response.status_code != 200:
            # The URL lives 30 seconds; asking again for a fresh one is the remedy.
            raise PaymentError(f"bill download answered HTTP {response.status_code}",
                               code=f"http_{response.status_code}", transient=True)
        return parse_trade_bill(response.content)

    # -- transport --------------------------------------------------------------------------

    def _call(self, method: str, biz: dict[str, Any], **params: Any) -> dict[str, Any]:
        """One verified gateway call; every failure becomes a PaymentError."""
        try:
            result = self.sdk.server_api(method, biz, **params)
        except AlipayApiError as exc:
            raise _refusal(method, exc.code, exc.sub_code, exc.sub_msg or exc.msg) from None
        except AliPayValidationError:
            log.error("alipay answer signature mismatch", extra={"operation": method})
            raise PaymentError(f"{method}: the answer's signature does not verify",
                               code="invalid_response_signature") from None
        except AlipayMalformedResponse:
            log.warning("alipay answered malformed JSON", extra={"operation": method})
            raise PaymentError(f"{method}: malformed answer", code="malformed_response",
                               transient=True) from None
        except urllib.error.HTTPError as exc:
            log.warning("alipay HTTP error", extra={"operation": method, "status": exc.code})
            raise PaymentError(f"{method}: HTTP {exc.code}", code=f"http_{exc.code}",
                               transient=exc.code >= 500 or exc.code == 429) from None
        except (OSError, http.client.HTTPException) as exc:
            log.warning("alipay unreachable",
                        extra={"operation": method, "error": type(exc).__name__})
            raise PaymentError(f"{method}: gateway unreachable ({type(exc).__name__})",
                               code="network", transient=True) from None
        except AliPayException as exc:
            log.error("alipay SDK error", extra={"operation": method, "error": str(exc)})
            raise PaymentError(f"{method}: Alipay SDK error", code="sdk_error") from None
        if not isinstance(result, dict):
            raise PaymentError(f"{method}: malformed answer", code="malformed_response",
                               transient=True)
        if str(result.get("code")) != "10000":
            raise _refusal(method, str(result.get("code")), result.get("sub_code"),
                           result.get("sub_msg") or result.get("msg"))
        return result


def _refusal(method: str, code: str | None, sub_code: str | None,
             message: str | None) -> PaymentError:
    transient = code == "20000" or sub_code in _TRANSIENT_SUB_CODES
    log.log(logging.WARNING if transient else logging.INFO, "alipay refused",
            extra={"operation": method, "vendor_code": sub_code or code,
                   "vendor_message": message})
    return PaymentError(f"{method}: {message or 'refused'}", code=sub_code or code,
                        transient=transient)


def _subject(description: str) -> str:
    subject = _SUBJECT_FORBIDDEN.sub(" ", description).strip()[:256]
    if not subject:
        raise ValueError("an order needs a description to show the payer")
    return subject


def _answer_amount(text: Any) -> int | None:
    if text in (None, ""):
        return None
    try:
        return yuan_to_fen(str(text))
    except ValueError:
        raise PaymentError(f"malformed amount {text!r}", code="malformed_response") from None


def _answer_time(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return parse_beijing_time(str(text))
    except ValueError:
        raise PaymentError(f"malformed time {text!r}", code="malformed_response") from None


def _form(body: bytes) -> dict[str, str]:
    """The posted form; its own `charset` field says how the percent-escapes decode."""
    try:
        text = body.decode("ascii")
        first = parse_qsl(text, keep_blank_values=True, strict_parsing=True,
                          encoding="latin-1")
        charset = _CHARSETS.get(dict(first).get("charset", "utf-8").lower())
        if charset is None:
            raise ValueError("unsupported charset")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True,
                          encoding=charset, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidNotification(f"notification is not a form: {exc}",
                                  code="malformed_notification") from None
    params = dict(pairs)
    if len(params) != len(pairs):
        raise InvalidNotification("a field appears twice", code="malformed_notification")
    return params


def _notification(params: dict[str, str]) -> Notification:
    out_trade_no = params["out_trade_no"]
    notify_id = params.get("notify_id") or None
    if params.get("out_biz_no") and (params.get("refund_fee") or params.get("gmt_refund")):
        # refund_fee is the trade's refunded total so far: this refund's amount when the trade
        # has one refund, as our orders do; query_refund gives the amount of each.
        refunded_at = params.get("gmt_refund")
        return Notification(refund=RefundStatus(
            out_trade_no=out_trade_no, out_refund_no=params["out_biz_no"],
            state=RefundState.SUCCESS, refund_fen=yuan_to_fen(params["refund_fee"]),
            refunded_at=parse_beijing_time(refunded_at) if refunded_at else None,
            raw=params), notification_id=notify_id)
    state = _TRADE_STATES.get(params["trade_status"])
    if state is None:
        raise ValueError(f"unknown trade_status {params['trade_status']!r}")
    paid_at = params.get("gmt_payment")
    return Notification(payment=PaymentStatus(
        out_trade_no=out_trade_no, state=state, transaction_id=params.get("trade_no") or None,
        amount_fen=yuan_to_fen(params["total_amount"]),
        paid_at=parse_beijing_time(paid_at) if paid_at else None, raw=params),
        notification_id=notify_id)
