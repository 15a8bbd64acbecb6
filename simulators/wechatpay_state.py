"""What the WeChat Pay simulator remembers, and its rules of money.

An order is paid once and for its own amount; refunds never exceed what was paid; the same
out_trade_no / out_refund_no with the same content is idempotent, with other content refused;
notifications are built as WeChat builds them. The HTTP layer (simulators/wechatpay.py)
authenticates, signs and delivers. Every method is thread-safe, and no network I/O happens here.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from simulators.wechatpay_protocol import (
    CST,
    MerchantAccount,
    Order,
    Outgoing,
    Refund,
    WeChatPayError,
    encrypt_resource,
    render_trade_bill,
    rfc3339,
)

BILL_URL_TTL = 30  # WeChat's download_url is valid for 30 seconds
REFUND_MODES = ("manual", "immediate")
_OUT_NO = re.compile(r"[0-9A-Za-z_\-*|]{6,64}")
_REFUND_SUMMARY = {"SUCCESS": "退款成功", "ABNORMAL": "退款异常", "CLOSED": "退款关闭"}
_PAID = ("SUCCESS", "REFUND")


class ControlError(Exception):
    """A rejected ``/_sim/`` call (not part of WeChat)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _field(payload: Mapping[str, Any], name: str, kind: type, required: bool = True) -> Any:
    value = payload.get(name)
    if (value is None or value == "") and not required:
        return None
    if value is None or value == "":
        raise WeChatPayError(400, "PARAM_ERROR", f"输入源“/body/{name}”映射到字段“{name}”"
                             "必填性规则校验失败，此字段为必填项")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise WeChatPayError(400, "PARAM_ERROR", f"字段 {name} 类型错误")
    return value


def _positive(value: int, name: str) -> int:
    if value <= 0:
        raise WeChatPayError(400, "PARAM_ERROR", f"{name} 必须大于 0")
    return value


def _notify_url(value: str) -> str:
    """WeChat wants an https URL without parameters; http is allowed here for loopback."""
    if not re.fullmatch(r"https?://[^\s?#]+", value):
        raise WeChatPayError(400, "PARAM_ERROR", "notify_url 必须是不带参数的 http(s) 地址")
    return value


def _cny(amount: Mapping[str, Any]) -> None:
    if amount.get("currency", "CNY") != "CNY":
        raise WeChatPayError(400, "PARAM_ERROR", "currency 只支持 CNY")


def _digits(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice("0123456789") for _ in range(length - len(prefix)))


class WeChatPayState:
    """All orders and refunds of all merchants, keyed by (mchid, out_*_no)."""

    def __init__(self, merchants: Mapping[str, MerchantAccount], refund_mode: str = "manual",
                 clock: Callable[[], float] = time.time) -> None:
        if refund_mode not in REFUND_MODES:
            raise ValueError(f"refund_mode must be one of {REFUND_MODES}")
        for mchid, merchant in merchants.items():
            if len(merchant.apiv3_key.encode()) != 32:
                raise ValueError(f"merchant {mchid}: the APIv3 key must be 32 bytes")
        self.merchants = dict(merchants)
        self.refund_mode, self.clock = refund_mode, clock
        self._lock = threading.RLock()
        self._orders: dict[tuple[str, str], Order] = {}
        self._refunds: dict[tuple[str, str], Refund] = {}
        self._bill_files: dict[str, tuple[str, bytes, float, str | None]] = {}
        self._deliveries: list[dict[str, Any]] = []
        self._calls: Counter[str] = Counter()

    # -- vendor API --------------------------------------------------------------------------

    def create_jsapi_order(self, mchid: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        if _field(payload, "mchid", str) != mchid:
            raise WeChatPayError(400, "PARAM_ERROR", "请求体中的 mchid 与请求商户号不一致")
        appid, description = _field(payload, "appid", str), _field(payload, "description", str)
        out_trade_no = _field(payload, "out_trade_no", str)
        notify_url = _notify_url(_field(payload, "notify_url", str))
        amount, payer = _field(payload, "amount", dict), _field(payload, "payer", dict)
        total = _positive(_field(amount, "total", int), "total")
        openid = _field(payer, "openid", str)
        _cny(amount)
        if len(description.encode()) > 127:
            raise WeChatPayError(400, "PARAM_ERROR", "description 长度超过 127 字节")
        if not _OUT_NO.fullmatch(out_trade_no) or len(out_trade_no) > 32:
            raise WeChatPayError(400, "PARAM_ERROR", "out_trade_no 须为 6-32 位字母数字_-*|")
        merchant = self.merchants[mchid]
        if merchant.appids and appid not in merchant.appids:
            raise WeChatPayError(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        time_expire = _field(payload, "time_expire", str, required=False)
        if time_expire is not None:
            try:
                expires = datetime.fromisoformat(time_expire)
            except ValueError:
                raise WeChatPayError(400, "PARAM_ERROR", "time_expire 不是 rfc3339 时间") from None
            if expires.tzinfo is None or expires.timestamp() <= self.clock():
                raise WeChatPayError(400, "PARAM_ERROR", "time_expire 须为将来的带时区时间")
        stamp = datetime.fromtimestamp(self.clock(), CST).strftime("%Y%m%d%H%M%S")
        new = Order(mchid, appid, out_trade_no, description, total, openid, notify_url,
                    time_expire, _field(payload, "attach", str, required=False) or "",
                    "wx" + stamp + secrets.token_hex(10))
        with self._lock:
            order = self._orders.setdefault((mchid, out_trade_no), new)
            if order is not new:
                if order.fingerprint() != new.fingerprint():
                    raise WeChatPayError(400, "INVALID_REQUEST", "201 商户订单号重复")
                if order.trade_state in _PAID:
                    raise WeChatPayError(400, "ORDERPAID", "该订单已支付")
                if order.trade_state == "CLOSED":
                    raise WeChatPayError(400, "ORDER_CLOSED", "当前订单已关闭，请重新下单")
            return {"prepay_id": order.prepay_id}

    def transaction(self, mchid: str, out_trade_no: str | None = None,
                    transaction_id: str | None = None) -> dict[str, Any]:
        with self._lock:
            return self._order(mchid, out_trade_no, transaction_id).view()

    def close(self, mchid: str, out_trade_no: str, payload: Mapping[str, Any]) -> None:
        """Closing a closed order is fine; a paid one cannot be closed."""
        if _field(payload, "mchid", str) != mchid:
            raise WeChatPayError(400, "PARAM_ERROR", "请求体中的 mchid 与请求商户号不一致")
        with self._lock:
            order = self._order(mchid, out_trade_no)
            if order.trade_state in _PAID:
                raise WeChatPayError(400, "ORDERPAID", "订单已支付，不能关闭")
            order.trade_state = "CLOSED"

    def create_refund(self, mchid: str, payload: Mapping[str, Any]
                      ) -> tuple[dict[str, Any], Outgoing | None]:
        """The refund's answer, and in immediate mode its REFUND.SUCCESS notification."""
        out_refund_no = _field(payload, "out_refund_no", str)
        if not _OUT_NO.fullmatch(out_refund_no):
            raise WeChatPayError(400, "PARAM_ERROR", "out_refund_no 须为 6-64 位字母数字_-*|")
        amount = _field(payload, "amount", dict)
        refund = _positive(_field(amount, "refund", int), "refund")
        total = _positive(_field(amount, "total", int), "total")
        _cny(amount)
        notify_url = _field(payload, "notify_url", str, required=False)
        reason = _field(payload, "reason", str, required=False) or ""
        with self._lock:
            try:
                order = self._order(mchid, payload.get("out_trade_no"),
                                    payload.get("transaction_id"))
            except WeChatPayError:
                raise WeChatPayError(404, "RESOURCE_NOT_EXISTS", "订单不存在") from None
            existing = self._refunds.get((mchid, out_refund_no))
            if existing is not None:
                if (existing.out_trade_no, existing.refund, existing.total) != (
                        order.out_trade_no, refund, total):
                    raise WeChatPayError(400, "INVALID_REQUEST", "退款单号重复，且退款内容不一致")
                return existing.view(), None
            if order.trade_state not in _PAID or order.transaction_id is None:
                raise WeChatPayError(400, "INVALID_REQUEST", "订单未支付，不能退款")
            if total != order.total:
                raise WeChatPayError(400, "PARAM_ERROR",
                                     "订单金额或退款金额与之前请求不一致，请核实后再试")
            if refund > order.total - self._committed(order):
                raise WeChatPayError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
            item = Refund(mchid, out_refund_no, order.out_trade_no, order.transaction_id,
                          _digits("50", 29), refund, total, reason,
                          notify_url and _notify_url(notify_url), self.clock())
            self._refunds[(mchid, out_refund_no)] = item
            order.refunds.append(out_refund_no)
            order.trade_state = "REFUND"
            outgoing = None
            if self.refund_mode == "immediate":
                outgoing = self._finish_refund(item, "SUCCESS")
            return item.view(), outgoing

    def refund(self, mchid: str, out_refund_no: str) -> dict[str, Any]:
        with self._lock:
            refund = self._refunds.get((mchid, out_refund_no))
            if refund is None:
                raise WeChatPayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return refund.view()

    def trade_bill(self, mchid: str, bill_date: str | None, bill_type: str | None,
                   tar_type: str | None) -> tuple[str, str]:
        """Prepares the day's bill; returns (SHA1 of the uncompressed file, download token).
        Today's bill is served too (WeChat's is ready the next morning), which tests need."""
        try:
            day = date.fromisoformat(bill_date or "")
        except ValueError:
            raise WeChatPayError(400, "PARAM_ERROR", "bill_date 格式应为 YYYY-MM-DD") from None
        bill_type = bill_type or "ALL"
        if bill_type not in ("ALL", "SUCCESS", "REFUND") or tar_type not in (None, "GZIP"):
            raise WeChatPayError(400, "PARAM_ERROR", "bill_type 或 tar_type 取值错误")
        if day > datetime.fromtimestamp(self.clock(), CST).date():
            raise WeChatPayError(400, "PARAM_ERROR", "不能查询未来日期的账单")
        with self._lock:
            paid = [o for (m, _), o in self._orders.items() if m == mchid
                    and o.success_time is not None and self._day(o.success_time) == day]
            refunded = [(r, self._orders[(m, r.out_trade_no)])
                        for (m, _), r in self._refunds.items() if m == mchid
                        and r.success_time is not None and self._day(r.success_time) == day]
            text = render_trade_bill(paid if bill_type != "REFUND" else [],
                                     refunded if bill_type != "SUCCESS" else [])
            if text is None:
                raise WeChatPayError(400, "NO_STATEMENT_EXIST", "要查询的账单不存在")
            token, data = secrets.token_urlsafe(24), text.encode()
            self._bill_files[token] = (mchid, data, self.clock() + BILL_URL_TTL, tar_type)
        # hash_type SHA1 is WeChat's: an integrity check of the file, not a security measure.
        return hashlib.sha1(data, usedforsecurity=False).hexdigest(), token

    def bill_file(self, mchid: str, token: str | None) -> tuple[bytes, str | None]:
        """(the file, its tar_type); the link is the merchant's own and lives 30 seconds."""
        with self._lock:
            entry = self._bill_files.get(token or "")
        if entry is None or entry[0] != mchid or entry[2] < self.clock():
            raise WeChatPayError(400, "INVALID_REQUEST", "账单下载链接无效或已过期")
        return entry[1], entry[3]

    # -- control -----------------------------------------------------------------------------

    def pay(self, out_trade_no: str, mchid: str | None = None) -> Outgoing:
        """The payer confirmed in WeChat: SUCCESS, and the TRANSACTION.SUCCESS notification."""
        with self._lock:
            order = self._control_order(out_trade_no, mchid)
            if order.trade_state != "NOTPAY":
                raise ControlError(409, f"order is {order.trade_state}, it cannot be paid")
            if order.time_expire and (
                    datetime.fromisoformat(order.time_expire).timestamp() <= self.clock()):
                raise ControlError(409, "order expired (time_expire has passed)")
            order.trade_state, order.success_time = "SUCCESS", self.clock()
            order.transaction_id = _digits("42000", 28)
            order.notification = self._notification(
                order.mchid, order.notify_url, "TRANSACTION.SUCCESS", "支付成功", "transaction",
                order.view(), order.out_trade_no)
            return order.notification

    def complete_refund(self, out_refund_no: str, status: str = "SUCCESS",
                        mchid: str | None = None) -> Outgoing | None:
        """Ends a PROCESSING refund; returns its notification (None without a notify_url)."""
        if status not in _REFUND_SUMMARY:
            raise ControlError(400, f"status must be one of {sorted(_REFUND_SUMMARY)}")
        with self._lock:
            refund = self._control_refund(out_refund_no, mchid)
            if refund.status != "PROCESSING":
                raise ControlError(409, f"refund is already {refund.status}")
            return self._finish_refund(refund, status)

    def last_notification(self, out_trade_no: str | None = None, out_refund_no: str | None = None,
                          mchid: str | None = None) -> Outgoing:
        with self._lock:
            if out_refund_no is not None:
                note = self._control_refund(out_refund_no, mchid).notification
            else:
                note = self._control_order(out_trade_no or "", mchid).notification
        if note is None:
            raise ControlError(404, "no notification has been made for it yet")
        return note

    def inspect(self, out_trade_no: str, mchid: str | None = None) -> dict[str, Any]:
        with self._lock:
            order = self._control_order(out_trade_no, mchid)
            return {**order.view(), "description": order.description,
                    "notify_url": order.notify_url, "time_expire": order.time_expire,
                    "prepay_id": order.prepay_id, "refund_committed": self._committed(order),
                    "refunds": [self._refunds[(order.mchid, no)].view() for no in order.refunds]}

    def inspect_refund(self, out_refund_no: str, mchid: str | None = None) -> dict[str, Any]:
        with self._lock:
            return self._control_refund(out_refund_no, mchid).view()

    def record_delivery(self, outgoing: Outgoing, result: dict[str, Any]) -> dict[str, Any]:
        record = {"notification_id": outgoing.notification_id, "event_type": outgoing.event_type,
                  "out_trade_no": outgoing.out_trade_no, "out_refund_no": outgoing.out_refund_no,
                  "url": outgoing.url, "at": self.clock(), **result}
        with self._lock:
            self._deliveries.append(record)
        return record

    def deliveries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(d) for d in self._deliveries]

    def count_call(self, name: str) -> None:
        with self._lock:
            self._calls[name] += 1

    def calls(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    # -- internals (lock held) ---------------------------------------------------------------

    def _order(self, mchid: str, out_trade_no: str | None,
               transaction_id: str | None = None) -> Order:
        order = None
        if isinstance(out_trade_no, str) and out_trade_no:
            order = self._orders.get((mchid, out_trade_no))
        elif isinstance(transaction_id, str) and transaction_id:
            order = next((o for (m, _), o in self._orders.items()
                          if m == mchid and o.transaction_id == transaction_id), None)
        if order is None:
            raise WeChatPayError(404, "ORDER_NOT_EXIST", "订单不存在")
        return order

    def _control_order(self, out_trade_no: str, mchid: str | None) -> Order:
        found = [o for (m, no), o in self._orders.items()
                 if no == out_trade_no and mchid in (None, m)]
        if len(found) != 1:
            raise ControlError(404, f"no order {out_trade_no!r}") if not found else ControlError(
                409, f"{len(found)} merchants have orders {out_trade_no!r}: give mchid")
        return found[0]

    def _control_refund(self, out_refund_no: str, mchid: str | None) -> Refund:
        found = [r for (m, no), r in self._refunds.items()
                 if no == out_refund_no and mchid in (None, m)]
        if len(found) != 1:
            raise ControlError(404, f"no refund {out_refund_no!r}") if not found else ControlError(
                409, f"{len(found)} merchants have refunds {out_refund_no!r}: give mchid")
        return found[0]

    def _committed(self, order: Order) -> int:
        """Money promised back: CLOSED refunds released theirs, ABNORMAL ones still hold it."""
        return sum(r.refund for no in order.refunds
                   if (r := self._refunds[(order.mchid, no)]).status != "CLOSED")

    def _finish_refund(self, refund: Refund, status: str) -> Outgoing | None:
        refund.status = status
        if status == "SUCCESS":
            refund.success_time = self.clock()
        if not refund.notify_url:
            return None
        refund.notification = self._notification(
            refund.mchid, refund.notify_url, f"REFUND.{status}", _REFUND_SUMMARY[status],
            "refund", refund.resource(), refund.out_trade_no, refund.out_refund_no)
        return refund.notification

    def _notification(self, mchid: str, url: str, event_type: str, summary: str, kind: str,
                      resource: dict[str, Any], out_trade_no: str,
                      out_refund_no: str | None = None) -> Outgoing:
        plaintext = json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
        envelope = {"id": str(uuid.uuid4()), "create_time": rfc3339(self.clock()),
                    "resource_type": "encrypt-resource", "event_type": event_type,
                    "summary": summary,
                    "resource": {"original_type": kind, **encrypt_resource(
                        self.merchants[mchid].apiv3_key, plaintext, kind)}}
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        return Outgoing(url, body, event_type, envelope["id"], out_trade_no, out_refund_no)

    @staticmethod
    def _day(ts: float) -> date:
        return datetime.fromtimestamp(ts, CST).date()
