"""What WeChat Pay API v3 puts on the wire, for the simulator: records, signatures, ciphers, bill.

- Requests carry ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="",signature="",
  timestamp="",serial_no=""``, the signature being RSA-SHA256 (PKCS#1 v1.5) by the merchant key
  over ``METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n``.
- Answers and notifications are signed by the platform key over ``TIMESTAMP\\nNONCE\\nBODY\\n``
  (headers Wechatpay-Timestamp, -Nonce, -Signature, -Serial = the platform public key id).
- Notification resources are AEAD_AES_256_GCM with the merchant's APIv3 key as the key.
- The trade bill (交易账单, bill_type=ALL): a header line, one line per trade with every field
  prefixed by a backtick, then a two-line summary; yuan with two decimals, the fee with five.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CST = timezone(timedelta(hours=8), "Asia/Shanghai")
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
REQUEST_MAX_SKEW = 300  # seconds between a request's timestamp and WeChat's clock
_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
_TRADE_STATE_DESC = {"NOTPAY": "未支付", "SUCCESS": "支付成功", "CLOSED": "已关闭",
                     "REFUND": "转入退款"}
BILL_HEADER = ("交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号",
               "商户订单号", "用户标识", "交易类型", "交易状态", "付款银行", "货币种类",
               "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额",
               "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费", "费率",
               "订单金额", "申请退款金额", "费率备注")
BILL_SUMMARY_HEADER = ("总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额",
                       "手续费总金额", "订单总金额", "申请退款总金额")


class WeChatPayError(Exception):
    """A vendor-API rejection, answered as ``{"code", "message"}`` with HTTP `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class MerchantAccount:
    """A merchant as WeChat Pay knows it (商户号 → its API certificate and APIv3 key)."""

    public_key_pem: str  # public half of the merchant API key (apiclient_key.pem)
    serial_no: str  # the merchant API certificate's serial, sent as serial_no in Authorization
    apiv3_key: str  # 32 ASCII characters; encrypts notification resources
    appids: frozenset[str] = frozenset()  # appids bound to the merchant; empty accepts any


@dataclass(frozen=True)
class Outgoing:
    """A notification ready to POST: the body is fixed, headers are signed at each delivery."""

    url: str
    body: bytes
    event_type: str
    notification_id: str
    out_trade_no: str
    out_refund_no: str | None = None


def rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, CST).isoformat(timespec="seconds")


def bill_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, CST).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Order:
    mchid: str
    appid: str
    out_trade_no: str
    description: str
    total: int
    openid: str
    notify_url: str
    time_expire: str | None
    attach: str
    prepay_id: str
    trade_state: str = "NOTPAY"
    transaction_id: str | None = None
    success_time: float | None = None
    notification: Outgoing | None = None
    refunds: list[str] = field(default_factory=list)

    def fingerprint(self) -> tuple[Any, ...]:
        """What a repeated order must match to count as the same order."""
        return (self.appid, self.description, self.total, self.openid, self.notify_url,
                self.time_expire, self.attach)

    def view(self) -> dict[str, Any]:
        """The transaction as query answers and TRANSACTION.SUCCESS carries it."""
        view: dict[str, Any] = {
            "appid": self.appid, "mchid": self.mchid, "out_trade_no": self.out_trade_no,
            "trade_type": "JSAPI", "trade_state": self.trade_state,
            "trade_state_desc": _TRADE_STATE_DESC[self.trade_state], "attach": self.attach,
            "payer": {"openid": self.openid}, "amount": {"total": self.total, "currency": "CNY"}}
        if self.success_time is not None:
            view.update(transaction_id=self.transaction_id, bank_type="OTHERS",
                        success_time=rfc3339(self.success_time))
            view["amount"].update(payer_total=self.total, payer_currency="CNY")
        return view


@dataclass
class Refund:
    mchid: str
    out_refund_no: str
    out_trade_no: str
    transaction_id: str
    refund_id: str
    refund: int
    total: int
    reason: str
    notify_url: str | None
    create_time: float
    status: str = "PROCESSING"
    success_time: float | None = None
    notification: Outgoing | None = None

    def view(self) -> dict[str, Any]:
        """The refund as the refund API answers it."""
        view: dict[str, Any] = {
            "refund_id": self.refund_id, "out_refund_no": self.out_refund_no,
            "transaction_id": self.transaction_id, "out_trade_no": self.out_trade_no,
            "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
            "create_time": rfc3339(self.create_time), "status": self.status,
            "funds_account": "AVAILABLE",
            "amount": {"total": self.total, "refund": self.refund, "payer_total": self.total,
                       "payer_refund": self.refund, "settlement_total": self.total,
                       "settlement_refund": self.refund, "discount_refund": 0,
                       "currency": "CNY"}}
        if self.success_time is not None:
            view["success_time"] = rfc3339(self.success_time)
        return view

    def resource(self) -> dict[str, Any]:
        """The refund as REFUND.* notifications carry it (note ``refund_status``)."""
        resource: dict[str, Any] = {
            "mchid": self.mchid, "out_trade_no": self.out_trade_no,
            "transaction_id": self.transaction_id, "out_refund_no": self.out_refund_no,
            "refund_id": self.refund_id, "refund_status": self.status,
            "user_received_account": "支付用户零钱",
            "amount": {"total": self.total, "refund": self.refund, "payer_total": self.total,
                       "payer_refund": self.refund}}
        if self.success_time is not None:
            resource["success_time"] = rfc3339(self.success_time)
        return resource


# -- signatures and ciphers --------------------------------------------------------------------

def encrypt_resource(apiv3_key: str, plaintext: str, associated_data: str) -> dict[str, str]:
    """A notification's ``resource``: AEAD_AES_256_GCM, ciphertext = base64(ct || tag)."""
    nonce = secrets.token_urlsafe(9)[:12]
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), plaintext.encode(), associated_data.encode())
    return {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": associated_data, "nonce": nonce}


class PlatformSigner:
    """Signs answers and notifications as WeChat Pay does, with the platform private key."""

    def __init__(self, private_key_pem: str, public_key_id: str) -> None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the WeChat Pay platform key is not an RSA key")
        self._key, self.public_key_id = key, public_key_id

    def headers(self, body: bytes, now: float) -> dict[str, str]:
        timestamp, nonce = str(int(now)), secrets.token_hex(16).upper()
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        signature = self._key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
                "Wechatpay-Signature": base64.b64encode(signature).decode(),
                "Wechatpay-Serial": self.public_key_id,
                "Wechatpay-Signature-Type": SIGNATURE_TYPE}


def authenticate(merchants: Mapping[str, MerchantAccount], authorization: str, method: str,
                 url: str, body: str, now: float) -> str:
    """The mchid whose key signed this request, or WeChatPayError 401 SIGN_ERROR."""
    scheme, _, rest = authorization.partition(" ")
    if scheme != SIGNATURE_TYPE:
        raise WeChatPayError(401, "SIGN_ERROR", "Authorization 认证类型错误或缺失")
    params = dict(_AUTH_PARAM.findall(rest))
    missing = {"mchid", "serial_no", "nonce_str", "timestamp", "signature"} - params.keys()
    if missing:
        raise WeChatPayError(401, "SIGN_ERROR", f"Authorization 缺少 {', '.join(sorted(missing))}")
    merchant = merchants.get(params["mchid"])
    if merchant is None:
        raise WeChatPayError(401, "SIGN_ERROR", "商户号不存在")
    if params["serial_no"] != merchant.serial_no:
        raise WeChatPayError(401, "SIGN_ERROR", "商户证书序列号有误")
    if not params["timestamp"].isdigit() or abs(now - int(params["timestamp"])) > REQUEST_MAX_SKEW:
        raise WeChatPayError(401, "SIGN_ERROR", "请求的时间戳与当前时间相差过大")
    message = f"{method}\n{url}\n{params['timestamp']}\n{params['nonce_str']}\n{body}\n"
    key = serialization.load_pem_public_key(merchant.public_key_pem.encode())
    try:
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("not an RSA key")
        key.verify(base64.b64decode(params["signature"], validate=True), message.encode(),
                   padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        raise WeChatPayError(401, "SIGN_ERROR", "签名错误") from None
    return params["mchid"]


# -- trade bill --------------------------------------------------------------------------------

def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _fee(fen: int) -> Decimal:
    return (Decimal(fen) * Decimal("0.006") / 100).quantize(Decimal("0.00001"))


def render_trade_bill(paid: list[Order], refunded: list[tuple[Refund, Order]]) -> str | None:
    """The bill's text (payments on the day they were paid, refunds on the day they succeeded),
    or None when the day has no line (WeChat answers NO_STATEMENT_EXIST). Written with the csv
    module, so a comma in a description is quoted rather than breaking the line."""
    if not paid and not refunded:
        return None
    rows: list[tuple[float, list[str]]] = []
    fees = Decimal(0)
    for o in paid:
        fees += _fee(o.total)
        rows.append((o.success_time or 0, [
            bill_time(o.success_time or 0), o.appid, o.mchid, "0", "", o.transaction_id or "",
            o.out_trade_no, o.openid, "JSAPI", "SUCCESS", "OTHERS", "CNY", yuan(o.total), "0.00",
            "0", "0", "0.00", "0.00", "", "", o.description, o.attach, f"{_fee(o.total):.5f}",
            "0.60%", yuan(o.total), "0.00", ""]))
    for r, o in refunded:
        fees -= _fee(r.refund)
        rows.append((r.success_time or 0, [
            bill_time(r.success_time or 0), o.appid, o.mchid, "0", "", r.transaction_id,
            o.out_trade_no, o.openid, "JSAPI", "REFUND", "OTHERS", "CNY", "0.00", "0.00",
            r.refund_id, r.out_refund_no, yuan(r.refund), "0.00", "ORIGINAL", "SUCCESS",
            o.description, o.attach, f"{-_fee(r.refund):.5f}", "0.60%", "0.00", yuan(r.refund),
            ""]))
    settled, returned = sum(o.total for o in paid), sum(r.refund for r, _ in refunded)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BILL_HEADER)
    writer.writerows(["`" + value for value in row] for _, row in sorted(rows, key=lambda x: x[0]))
    writer.writerow(BILL_SUMMARY_HEADER)
    writer.writerow(["`" + value for value in (
        str(len(rows)), yuan(settled), yuan(returned), "0.00", f"{fees:.5f}", yuan(settled),
        yuan(returned))])
    return out.getvalue()
