"""WeChat Pay API v3 (微信支付 APIv3) for the mini-program: JSAPI orders, callbacks, refunds, bills.

Built on the `wechatpayv3` SDK, which signs requests, verifies the signature of every answer and
decrypts callbacks. It runs in platform-public-key mode only (微信支付公钥, `public_key` +
`public_key_id`): WeChat Pay has moved merchants from platform certificates to that key, and in
this mode the SDK makes no call at construction. Around the SDK this module adds what it leaves
to its caller: the callback replay window and serial check, WeChat's states and errors in our
words, and the trade bill's parser. Amounts are integer fen.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import requests

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
from payments.wechatpay_bill import CST, parse_trade_bill
from payments.wechatpay_sdk import SdkClient, UnverifiedAnswer, pkcs8_pem, spki_pem

API_BASE_URL = "https://api.mch.weixin.qq.com"
NOTIFICATION_MAX_AGE = 300  # seconds: older (or as far future) callbacks are replays
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
DESCRIPTION_MAX_BYTES = 127
REASON_MAX_CHARS = 80
_OUT_NO = re.compile(r"[0-9A-Za-z_\-*|]{6,64}")
_TRADE_STATES = {
    "NOTPAY": TradeState.NOT_PAID, "USERPAYING": TradeState.NOT_PAID,
    "PAYERROR": TradeState.NOT_PAID, "SUCCESS": TradeState.PAID, "CLOSED": TradeState.CLOSED,
    "REVOKED": TradeState.CLOSED,
    "REFUND": TradeState.REFUNDED,  # 转入退款: WeChat says so once any refund exists
}
_REFUND_STATES = {"PROCESSING": RefundState.PROCESSING, "SUCCESS": RefundState.SUCCESS,
                  "ABNORMAL": RefundState.FAILED, "CLOSED": RefundState.FAILED}
_REFUND_EVENTS = {"REFUND.SUCCESS": "SUCCESS", "REFUND.ABNORMAL": "ABNORMAL",
                  "REFUND.CLOSED": "CLOSED"}
_TRANSIENT_CODES = frozenset({"SYSTEM_ERROR", "FREQUENCY_LIMITED", "BANK_ERROR"})
_NOTIFY_HEADERS = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce",
                   "Wechatpay-Serial")


def fit_description(text: str, limit: int = DESCRIPTION_MAX_BYTES) -> str:
    """Whitespace collapsed, then cut on a character boundary with "…" to fit `limit` UTF-8 bytes
    (WeChat counts bytes; a cut multi-byte character would make the request invalid)."""
    text = " ".join(text.split())
    if len(text.encode()) <= limit:
        return text
    cut = text.encode()[: limit - len("…".encode())].decode("utf-8", errors="ignore")
    return cut.rstrip() + "…"


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PaymentError(f"WeChat Pay sent a bad time {value!r}", code="bad_response") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CST)


def _param_error(message: str) -> PaymentError:
    return PaymentError(message, code="PARAM_ERROR")


def _out_no(value: str, name: str, longest: int = 64) -> str:
    """Checked before use: these numbers go into URL paths."""
    if not isinstance(value, str) or not _OUT_NO.fullmatch(value) or len(value) > longest:
        raise _param_error(f"{name} must be 6-{longest} characters of [0-9A-Za-z_-*|]")
    return value


class WeChatPayGateway(PaymentGateway):
    """WeChat Pay v3 for one merchant (直连商户) and one mini-program appid."""

    channel = "wechat"

    def __init__(
        self,
        *,
        mchid: str,
        appid: str,
        merchant_private_key_pem: str,
        merchant_serial_no: str,
        apiv3_key: str,
        platform_public_key_pem: str,
        platform_public_key_id: str,
        notify_url: str | None = None,
        base_url: str = API_BASE_URL,
        timeout: float | tuple[float, float] = (5.0, 15.0),
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`notify_url` is the default callback address; `timeout` is requests' (connect, read);
        `clock` (like time.time) dates paySign and judges the callback replay window."""
        if len(apiv3_key.encode()) != 32:
            raise ValueError("the APIv3 key must be 32 bytes (it is the AES-256-GCM key)")
        self.mchid, self.appid = mchid, appid
        self.notify_url = notify_url
        self.base_url = base_url.rstrip("/")
        self._public_key_id = platform_public_key_id
        self._clock = clock
        self._sdk = SdkClient(
            base_url=self.base_url, appid=appid, notify_url=notify_url, mchid=mchid,
            private_key=pkcs8_pem(merchant_private_key_pem), cert_serial_no=merchant_serial_no,
            apiv3_key=apiv3_key, timeout=timeout,
            public_key=spki_pem(platform_public_key_pem), public_key_id=platform_public_key_id)

    # -- orders ------------------------------------------------------------------------------

    def create_order(self, order: OrderRequest) -> ClientPayment:
        """JSAPI order, then what `wx.requestPayment` takes: paySign is RSA-SHA256 by the merchant
        key over "appid\\ntimeStamp\\nnonceStr\\npackage\\n"."""
        amount = order.amount_fen
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise _param_error("amount_fen must be a positive integer")
        if not order.payer_id:
            raise _param_error("payer_id (the openid) is required")
        description = fit_description(order.description)
        if not description:
            raise _param_error("description is required")
        expires = order.expires_at
        if expires.tzinfo is None or expires.utcoffset() is None:
            raise _param_error("expires_at must be timezone-aware")
        notify_url = order.notify_url or self.notify_url
        if not notify_url:
            raise _param_error("notify_url is required")
        answer = self._json(self._request(
            "create order", self._sdk.pay, description=description,
            out_trade_no=_out_no(order.out_trade_no, "out_trade_no", 32),
            amount={"total": amount, "currency": "CNY"}, payer={"openid": order.payer_id},
            time_expire=expires.astimezone(CST).isoformat(timespec="seconds"),
            notify_url=notify_url))
        prepay_id = answer.get("prepay_id")
        if not isinstance(prepay_id, str) or not prepay_id:
            raise PaymentError("WeChat Pay create order: no prepay_id", code="bad_response")
        timestamp, nonce = str(int(self._clock())), secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        return ClientPayment(channel=self.channel, params={
            "timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
            "paySign": self._sdk.sign([self.appid, timestamp, nonce, package])})

    def query(self, out_trade_no: str) -> PaymentStatus:
        try:
            answer = self._json(self._request(
                "query", self._sdk.query, out_trade_no=_out_no(out_trade_no, "out_trade_no")))
        except PaymentError as exc:
            if exc.code == "ORDER_NOT_EXIST":
                return PaymentStatus(out_trade_no=out_trade_no, state=TradeState.UNKNOWN)
            raise
        return self._payment_status(answer, out_trade_no)

    def close(self, out_trade_no: str) -> None:
        """An order WeChat never saw (ORDER_NOT_EXIST) cannot be paid either: that is closed."""
        try:
            self._request("close", self._sdk.close,
                          out_trade_no=_out_no(out_trade_no, "out_trade_no"))
        except PaymentError as exc:
            if exc.code != "ORDER_NOT_EXIST":
                raise

    # -- refunds -----------------------------------------------------------------------------

    def refund(self, refund: RefundRequest) -> RefundStatus:
        if not 0 < refund.refund_fen <= refund.total_fen:
            raise _param_error("refund_fen must be positive and at most total_fen")
        reason = " ".join(refund.reason.split())[:REASON_MAX_CHARS] or None
        answer = self._json(self._request(
            "refund", self._sdk.refund,
            out_refund_no=_out_no(refund.out_refund_no, "out_refund_no"),
            out_trade_no=_out_no(refund.out_trade_no, "out_trade_no"),
            amount={"refund": refund.refund_fen, "total": refund.total_fen, "currency": "CNY"},
            reason=reason, notify_url=refund.notify_url or self.notify_url))
        return self._refund_status(answer, "status", refund.out_trade_no, refund.out_refund_no)

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundStatus:
        answer = self._json(self._request(
            "query refund", self._sdk.query_refund,
            out_refund_no=_out_no(out_refund_no, "out_refund_no")))
        return self._refund_status(answer, "status", out_trade_no, out_refund_no)

    # -- callbacks ---------------------------------------------------------------------------

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Serial = our platform public key id, timestamp within 5 minutes, RSA signature over the
        exact body, AES-256-GCM resource for our mchid/appid; anything else is refused whole."""
        try:
            return self._parse_notification(headers, bytes(body))
        except InvalidNotification:
            raise
        except Exception as exc:  # malformed JSON, resource or header: never act on half of it
            raise InvalidNotification(f"WeChat Pay notification rejected: {exc}",
                                      code="invalid_notification") from exc

    def acknowledge(self, ok: bool) -> NotificationAck:
        """204 stops WeChat's retries; a 5xx with code FAIL asks for them (about 15 s to 24 h)."""
        if ok:
            return NotificationAck(status=204, body="", content_type="text/plain")
        body = json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False)
        return NotificationAck(status=500, body=body, content_type="application/json")

    def _parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        given = {str(name).lower(): str(value) for name, value in headers.items()}
        values = {name: given.get(name.lower(), "") for name in _NOTIFY_HEADERS}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise _invalid(f"missing {', '.join(missing)}")
        if values["Wechatpay-Serial"] != self._public_key_id:
            raise _invalid(f"signed under serial {values['Wechatpay-Serial']!r}, not ours")
        if given.get("wechatpay-signature-type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
            raise _invalid("unsupported Wechatpay-Signature-Type")
        stamp = values["Wechatpay-Timestamp"]
        if not stamp.isdigit() or abs(self._clock() - int(stamp)) > NOTIFICATION_MAX_AGE:
            raise _invalid("timestamp outside the 5-minute replay window")
        try:
            result = self._sdk.callback({**values, "Wechatpay-Signature-Type": SIGNATURE_TYPE},
                                        body)
        except UnverifiedAnswer:
            raise _invalid("the platform signature does not verify") from None
        if not isinstance(result, dict) or not isinstance(result.get("resource"), dict):
            raise _invalid("the resource does not decrypt with our APIv3 key")
        event, resource = result.get("event_type"), result["resource"]
        notification_id = result.get("id") if isinstance(result.get("id"), str) else None
        if resource.get("mchid") != self.mchid:
            raise _invalid("the notification is for another merchant")
        if event == "TRANSACTION.SUCCESS":
            if resource.get("appid") != self.appid:
                raise _invalid("the notification is for another appid")
            status = self._payment_status(resource, resource.get("out_trade_no"))
            if status.state != TradeState.PAID or not status.transaction_id or (
                    status.amount_fen is None):
                raise _invalid("TRANSACTION.SUCCESS without a complete successful trade")
            return Notification(payment=status, notification_id=notification_id)
        if event in _REFUND_EVENTS:
            if resource.get("refund_status") != _REFUND_EVENTS[event]:
                raise _invalid("refund_status does not match event_type")
            refund = self._refund_status(resource, "refund_status", resource.get("out_trade_no"),
                                         resource.get("out_refund_no"))
            return Notification(refund=refund, notification_id=notification_id)
        raise _invalid(f"unexpected event_type {event!r}")

    # -- bill --------------------------------------------------------------------------------

    def download_bill(self, day: date) -> list[BillLine]:
        """The ALL trade bill, fetched gzipped; the download is unsigned (as WeChat serves it),
        so its SHA1 is checked against the signed hash_value."""
        try:
            answer = self._json(self._request(
                "trade bill", self._sdk.trade_bill, bill_date=day.isoformat(), bill_type="ALL",
                tar_type="GZIP"))
        except PaymentError as exc:
            if exc.code == "NO_STATEMENT_EXIST":
                return []
            raise
        url, expected = answer.get("download_url"), answer.get("hash_value")
        if not isinstance(url, str) or not url.startswith(self.base_url + "/") or (
                str(answer.get("hash_type")).upper() != "SHA1" or not isinstance(expected, str)):
            raise PaymentError("WeChat Pay trade bill: unexpected answer", code="bad_response")
        content = self._request("bill download", self._sdk.download_bill, url=url)
        content = content.encode() if isinstance(content, str) else bytes(content)
        try:
            if content[:2] == b"\x1f\x8b":
                content = gzip.decompress(content)
        except (OSError, EOFError) as exc:
            raise PaymentError("WeChat Pay bill: corrupt gzip", code="bill_corrupt",
                               transient=True) from exc
        if hashlib.sha1(content, usedforsecurity=False).hexdigest() != expected.lower():
            raise PaymentError("WeChat Pay bill: SHA1 mismatch", code="bill_corrupt",
                               transient=True)
        return parse_trade_bill(content.decode("utf-8-sig"))

    # -- plumbing ----------------------------------------------------------------------------

    def _request(self, action: str, method: Callable[..., tuple[int, Any]], **kwargs: Any) -> Any:
        """The SDK call's body on 2xx; PaymentError otherwise, transient for network trouble,
        5xx, 429 and WeChat's SYSTEM_ERROR / FREQUENCY_LIMITED / BANK_ERROR."""
        try:
            status, body = method(**kwargs)
        except requests.Timeout as exc:
            raise PaymentError(f"WeChat Pay {action}: timed out", code="timeout",
                               transient=True) from exc
        except requests.RequestException as exc:
            raise PaymentError(f"WeChat Pay {action}: {type(exc).__name__}", code="unreachable",
                               transient=True) from exc
        except UnverifiedAnswer as exc:  # wrong platform key, or tampered on the way
            raise PaymentError(f"WeChat Pay {action}: answer not signed by WeChat Pay ({exc})",
                               code="response_signature_invalid") from exc
        except Exception as exc:  # the SDK raises bare Exception for its own argument checks
            raise PaymentError(f"WeChat Pay {action}: {exc}", code="sdk_error") from exc
        if 200 <= status < 300:
            return body
        code = message = None
        try:
            error = json.loads(body)
            code, message = error.get("code"), error.get("message")
        except (ValueError, TypeError, AttributeError):
            pass
        raise PaymentError(
            f"WeChat Pay {action} failed: HTTP {status} {code or ''} {message or ''}".rstrip(),
            code=code or f"HTTP_{status}",
            transient=status >= 500 or status == 429 or code in _TRANSIENT_CODES)

    @staticmethod
    def _json(body: Any) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except (ValueError, TypeError):
            data = None
        if not isinstance(data, dict):
            raise PaymentError("WeChat Pay answered something other than a JSON object",
                               code="bad_response")
        return data

    def _payment_status(self, data: dict[str, Any], out_trade_no: object) -> PaymentStatus:
        state = _TRADE_STATES.get(data.get("trade_state"))
        total = _amount(data, "total")
        if state is None or data.get("mchid") != self.mchid or not isinstance(
                out_trade_no, str) or data.get("out_trade_no") != out_trade_no:
            raise PaymentError("WeChat Pay: unexpected transaction", code="bad_response")
        transaction_id = data.get("transaction_id")
        return PaymentStatus(
            out_trade_no=out_trade_no, state=state,
            transaction_id=transaction_id if isinstance(transaction_id, str) else None,
            amount_fen=total,
            paid_at=_parse_time(data.get("success_time")), raw=data)

    @staticmethod
    def _refund_status(data: dict[str, Any], key: str, out_trade_no: object,
                       out_refund_no: object) -> RefundStatus:
        state = _REFUND_STATES.get(data.get(key))
        refund = _amount(data, "refund")
        if state is None or refund is None or (
                not isinstance(out_trade_no, str) or not isinstance(out_refund_no, str)) or (
                (data.get("out_trade_no"), data.get("out_refund_no"))
                != (out_trade_no, out_refund_no)):
            raise PaymentError("WeChat Pay: unexpected refund", code="bad_response")
        refund_id = data.get("refund_id")
        return RefundStatus(
            out_trade_no=out_trade_no, out_refund_no=out_refund_no, state=state,
            refund_fen=refund, refund_id=refund_id if isinstance(refund_id, str) else None,
            refunded_at=_parse_time(data.get("success_time")), raw=data)


def _amount(data: dict[str, Any], name: str) -> int | None:
    """An integer fen amount from WeChat's ``amount`` object, or None if absent or not one."""
    amount = data.get("amount")
    value = amount.get(name) if isinstance(amount, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _invalid(reason: str) -> InvalidNotification:
    return InvalidNotification(f"WeChat Pay notification rejected: {reason}",
                               code="invalid_notification")
