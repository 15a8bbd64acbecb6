"""Alipay trade methods (mini-program JSAPI_PAY) for the gateway simulator, and notifications.

Gateway methods, answered in Alipay's shapes, business failures signed inside the method's
response (``"code": "40004"`` with Alipay's ``ACQ.*`` sub_codes):

- ``alipay.trade.create``: checks out_trade_no, total_amount (yuan, at most two decimals, 0.01 to
  100000000), subject, product_code JSAPI_PAY, op_app_id, buyer_id (2088 + 12 digits) or
  buyer_open_id, time_expire. The same request again gets the same trade_no; other content under
  a known out_trade_no is ACQ.CONTEXT_INCONSISTENT, a paid or closed one ACQ.TRADE_HAS_SUCCESS /
  ACQ.TRADE_HAS_CLOSE. Trades close by themselves at time_expire.
- ``alipay.trade.query`` / ``alipay.trade.close`` (ACQ.TRADE_NOT_EXIST, ACQ.TRADE_STATUS_ERROR).
- ``alipay.trade.refund``: up to what was paid (ACQ.REFUND_AMT_NOT_EQUAL_TOTAL); the same
  out_request_no again answers ``fund_change: "N"`` and moves no money, with another amount it is
  ACQ.DISCORDANT_REPEAT_REQUEST. A full refund closes the trade.
- ``alipay.trade.fastpay.refund.query``; ``alipay.data.dataservice.bill.downloadurl.query``
  (see ``simulators.alipay_bill``).

Asynchronous notifications are RSA2-signed forms POSTed to the trade's notify_url with
``requests``; paying (control endpoint) delivers synchronously, closing and refunding from a
background thread, as Alipay does after its answer. There are no automatic retries: resend.

The ``/_sim/trades`` control endpoints (paying, resending) are in
``simulators.alipay_trade_control``.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import requests

from simulators.alipay import (
    BEIJING,
    TIMESTAMP_FORMAT,
    AlipayError,
    AlipaySimulatorState,
    MethodCall,
    MethodHandler,
)

NOTIFY_TIMEOUT = 5
MAX_TOTAL_FEN = 100_000_000 * 100
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,8})(?:\.([0-9]{1,2}))?")
_OUT_TRADE_NO = re.compile(r"[0-9A-Za-z_-]{1,64}")
_USER_ID = re.compile(r"2088[0-9]{12}")
_COMPARED = ("total_amount", "subject", "product_code", "buyer_id", "buyer_open_id",
             "time_expire")


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def beijing(timestamp: float, *, millis: bool = False) -> str:
    moment = datetime.fromtimestamp(timestamp, BEIJING)
    text = moment.strftime(TIMESTAMP_FORMAT)
    return f"{text}.{moment.microsecond // 1000:03d}" if millis else text


def _business(sub_code: str, sub_msg: str) -> AlipayError:
    return AlipayError("40004", sub_code, sub_msg, in_method_response=True)


def _invalid(sub_msg: str) -> AlipayError:
    return _business("ACQ.INVALID_PARAMETER", f"参数无效: {sub_msg}")


def _fen(value: Any, name: str) -> int:
    match = _AMOUNT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _invalid(f"{name} 格式错误")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


@dataclass
class Refund:
    out_request_no: str
    fen: int
    reason: str
    at: float


@dataclass
class Trade:
    app_id: str
    out_trade_no: str
    trade_no: str
    total_fen: int
    subject: str
    buyer_id: str | None
    buyer_open_id: str | None
    notify_url: str | None
    expires_at: float | None
    created_at: float
    request: dict[str, Any]  # the fields a repeated create must match
    status: str = "WAIT_BUYER_PAY"
    paid_at: float | None = None
    closed_at: float | None = None
    refunds: dict[str, Refund] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)

    @property
    def refunded_fen(self) -> int:
        return sum(refund.fen for refund in self.refunds.values())

    @property
    def logon_id(self) -> str:
        buyer = self.buyer_id or self.buyer_open_id or ""
        return f"{buyer[:3]}***{buyer[-3:]}"

    def refresh(self, now: float) -> None:
        """Unpaid trades close at time_expire, as Alipay's do."""
        if self.status == "WAIT_BUYER_PAY" and self.expires_at and now >= self.expires_at:
            self.status, self.closed_at = "TRADE_CLOSED", self.expires_at

    def buyer(self) -> dict[str, str]:
        return {"buyer_user_id": self.buyer_id} if self.buyer_id else {
            "buyer_open_id": self.buyer_open_id or ""}

    def view(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id, "out_trade_no": self.out_trade_no, "trade_no": self.trade_no,
            "trade_status": self.status, "total_amount": yuan(self.total_fen),
            "total_fen": self.total_fen, "refunded_fen": self.refunded_fen,
            "buyer_id": self.buyer_id, "buyer_open_id": self.buyer_open_id,
            "notify_url": self.notify_url, "time_expire": self.request.get("time_expire"),
            "paid_at": self.paid_at, "closed_at": self.closed_at,
            "refunds": [{"out_request_no": r.out_request_no, "refund_fen": r.fen, "at": r.at}
                        for r in self.refunds.values()],
            "notifications": self.notifications,
        }


class TradeBook:
    """Every app's trades by (app_id, out_trade_no); guard with the simulator state's lock."""

    def __init__(self) -> None:
        self.trades: dict[tuple[str, str], Trade] = {}
        self.seller_id = "2088" + "".join(secrets.choice("0123456789") for _ in range(12))

    def find(self, out_trade_no: str, app_id: str | None = None) -> list[Trade]:
        return [trade for (app, number), trade in self.trades.items()
                if number == out_trade_no and app_id in (None, app)]


def trade_book(state: AlipaySimulatorState) -> TradeBook:
    with state.lock:
        return state.extra.setdefault("alipay_trades", TradeBook())


def _lookup(call: MethodCall) -> Trade:
    out_trade_no, trade_no = call.biz_content.get("out_trade_no"), call.biz_content.get("trade_no")
    if not out_trade_no and not trade_no:
        raise _invalid("out_trade_no 和 trade_no 不能同时为空")
    for (app_id, number), trade in trade_book(call.state).trades.items():
        if app_id == call.app_id and (number == out_trade_no or trade.trade_no == trade_no):
            trade.refresh(call.now)
            return trade
    raise _business("ACQ.TRADE_NOT_EXIST", "交易不存在")


# -- gateway methods ------------------------------------------------------------------------

def trade_create(call: MethodCall) -> dict[str, Any]:
    biz = call.biz_content
    out_trade_no = biz.get("out_trade_no")
    if not isinstance(out_trade_no, str) or not _OUT_TRADE_NO.fullmatch(out_trade_no):
        raise _invalid("out_trade_no")
    total_fen = _fen(biz.get("total_amount"), "total_amount")
    if not 1 <= total_fen <= MAX_TOTAL_FEN:
        raise _invalid("total_amount 超出范围")
    subject = biz.get("subject")
    if not isinstance(subject, str) or not 0 < len(subject) <= 256 or re.search("[/=&]", subject):
        raise _invalid("subject")
    if biz.get("product_code") != "JSAPI_PAY":
        raise _invalid("product_code 应为 JSAPI_PAY")
    if biz.get("op_app_id") not in (None, call.app_id):
        raise _invalid("op_app_id 与 app_id 不一致")
    buyer_id, buyer_open_id = biz.get("buyer_id"), biz.get("buyer_open_id")
    if bool(buyer_id) == bool(buyer_open_id):
        raise _invalid("buyer_id 与 buyer_open_id 须且只能传一个")
    if buyer_id and not (isinstance(buyer_id, str) and _USER_ID.fullmatch(buyer_id)):
        raise _invalid("buyer_id")
    if buyer_open_id and not (isinstance(buyer_open_id, str) and len(buyer_open_id) <= 128):
        raise _invalid("buyer_open_id")
    expires_at = None
    if biz.get("time_expire"):
        try:
            moment = datetime.strptime(str(biz["time_expire"]), TIMESTAMP_FORMAT)
        except ValueError:
            raise _invalid("time_expire") from None
        expires_at = moment.replace(tzinfo=BEIJING).timestamp()
    compared = {key: biz.get(key) for key in _COMPARED}
    book = trade_book(call.state)
    with call.state.lock:
        trade = book.trades.get((call.app_id, out_trade_no))
        if trade is not None:
            trade.refresh(call.now)
            if trade.paid_at is not None:
                raise _business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            if trade.status == "TRADE_CLOSED":
                raise _business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            if trade.request != compared:
                raise _business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        else:
            day = datetime.fromtimestamp(call.now, BEIJING).strftime("%Y%m%d")
            trade = Trade(
                app_id=call.app_id, out_trade_no=out_trade_no,
                trade_no=day + "2200" + "".join(secrets.choice("0123456789") for _ in range(16)),
                total_fen=total_fen, subject=subject, buyer_id=buyer_id or None,
                buyer_open_id=buyer_open_id or None,
                notify_url=call.params.get("notify_url") or None, expires_at=expires_at,
                created_at=call.now, request=compared)
            book.trades[(call.app_id, out_trade_no)] = trade
        return {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no,
                "trade_no": trade.trade_no}


def trade_query(call: MethodCall) -> dict[str, Any]:
    with call.state.lock:
        trade = _lookup(call)
        paid = yuan(trade.total_fen) if trade.paid_at is not None else "0.00"
        answer = {
            "code": "10000", "msg": "Success", "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no, "buyer_logon_id": trade.logon_id,
            "trade_status": trade.status, "total_amount": yuan(trade.total_fen),
            "buyer_pay_amount": paid, "receipt_amount": paid, "invoice_amount": paid,
            "point_amount": "0.00", **trade.buyer(),
        }
        if trade.paid_at is not None:
            answer["send_pay_date"] = beijing(trade.paid_at)
        return answer


def trade_close(call: MethodCall) -> dict[str, Any]:
    with call.state.lock:
        trade = _lookup(call)
        if trade.status != "WAIT_BUYER_PAY":
            raise _business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade.status, trade.closed_at = "TRADE_CLOSED", call.now
        form = notification_form(call.state, trade)
    send_later(call.state, trade, form)
    return {"code": "10000", "msg": "Success", "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no}


def trade_refund(call: MethodCall) -> dict[str, Any]:
    biz = call.biz_content
    fen = _fen(biz.get("refund_amount"), "refund_amount")
    with call.state.lock:
        trade = _lookup(call)
        request_no = biz.get("out_request_no") or trade.out_trade_no
        answer = {"code": "10000", "msg": "Success", "trade_no": trade.trade_no,
                  "out_trade_no": trade.out_trade_no, "buyer_logon_id": trade.logon_id,
                  **trade.buyer()}
        previous = trade.refunds.get(request_no)
        if previous is not None:
            if previous.fen != fen:
                raise _business("ACQ.DISCORDANT_REPEAT_REQUEST", "不一致的请求")
            return {**answer, "fund_change": "N", "refund_fee": yuan(trade.refunded_fen),
                    "gmt_refund_pay": beijing(previous.at)}
        if fen <= 0:
            raise _business("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效")
        if trade.paid_at is None:
            raise _business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        if trade.refunded_fen + fen > trade.total_fen or (
                not biz.get("out_request_no") and fen != trade.total_fen):
            raise _business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
        refund = Refund(request_no, fen, str(biz.get("refund_reason") or ""), call.now)
        trade.refunds[request_no] = refund
        if trade.refunded_fen == trade.total_fen:
            trade.status, trade.closed_at = "TRADE_CLOSED", call.now
        form = notification_form(call.state, trade, refund)
    send_later(call.state, trade, form)
    return {**answer, "fund_change": "Y", "refund_fee": yuan(trade.refunded_fen),
            "gmt_refund_pay": beijing(refund.at)}


def refund_query(call: MethodCall) -> dict[str, Any]:
    request_no = call.biz_content.get("out_request_no")
    if not request_no:
        raise _invalid("out_request_no")
    with call.state.lock:
        trade = _lookup(call)
        answer = {"code": "10000", "msg": "Success", "trade_no": trade.trade_no,
                  "out_trade_no": trade.out_trade_no}
        refund = trade.refunds.get(request_no)
        if refund is None:
            return answer  # Alipay: no refund fields means it has no such refund
        answer.update(out_request_no=request_no, total_amount=yuan(trade.total_fen),
                      refund_amount=yuan(refund.fen), refund_status="REFUND_SUCCESS")
        if "gmt_refund_pay" in (call.biz_content.get("query_options") or []):
            answer["gmt_refund_pay"] = beijing(refund.at)
        return answer


TRADE_METHODS: dict[str, MethodHandler] = {
    "alipay.trade.create": trade_create,
    "alipay.trade.query": trade_query,
    "alipay.trade.close": trade_close,
    "alipay.trade.refund": trade_refund,
    "alipay.trade.fastpay.refund.query": refund_query,
}


# -- notifications --------------------------------------------------------------------------

def notification_form(state: AlipaySimulatorState, trade: Trade,
                      refund: Refund | None = None) -> dict[str, str]:
    """The trade-status notification for the trade as it is now (call with the lock held)."""
    now, paid = state.clock(), trade.paid_at is not None
    amount = yuan(trade.total_fen)
    form = {
        "notify_time": beijing(now), "notify_type": "trade_status_sync",
        "notify_id": uuid.uuid4().hex + secrets.token_hex(1), "charset": "utf-8",
        "version": "1.0", "sign_type": "RSA2", "app_id": trade.app_id,
        "auth_app_id": trade.app_id, "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no, "seller_id": trade_book(state).seller_id,
        "buyer_id": trade.buyer_id or "", "buyer_open_id": trade.buyer_open_id or "",
        "buyer_logon_id": trade.logon_id, "trade_status": trade.status,
        "subject": trade.subject, "total_amount": amount,
        "receipt_amount": amount if paid else "", "invoice_amount": amount if paid else "",
        "buyer_pay_amount": amount if paid else "", "point_amount": "0.00" if paid else "",
        "gmt_create": beijing(trade.created_at),
        "gmt_payment": beijing(trade.paid_at) if trade.paid_at is not None else "",
        "gmt_close": beijing(trade.closed_at) if trade.closed_at is not None else "",
        "fund_bill_list": json.dumps([{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}],
                                     separators=(",", ":")) if paid else "",
    }
    if refund is not None:
        form.update(out_biz_no=refund.out_request_no, refund_fee=yuan(trade.refunded_fen),
                    gmt_refund=beijing(refund.at, millis=True))
    form = {key: value for key, value in form.items() if value}
    content = "&".join(f"{k}={v}" for k, v in sorted(form.items())
                       if k not in ("sign", "sign_type"))
    form["sign"] = state.sign(content)
    trade.notifications.append({"form": form, "deliveries": []})
    return form


def deliver(state: AlipaySimulatorState, trade: Trade, form: dict[str, str]) -> dict[str, Any]:
    """POST the form to the trade's notify_url; Alipay counts only the body "success"."""
    try:
        response = requests.post(
            trade.notify_url or "", data=urlencode(form), timeout=NOTIFY_TIMEOUT,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        outcome = {"delivered": response.status_code == 200 and response.text.strip() == "success",
                   "status": response.status_code, "body": response.text[:1000], "error": None}
    except requests.RequestException as exc:
        outcome = {"delivered": False, "status": None, "body": None,
                   "error": type(exc).__name__}
    with state.lock:
        for sent in trade.notifications:
            if sent["form"] is form:
                sent["deliveries"].append(outcome)
    return outcome


def send_later(state: AlipaySimulatorState, trade: Trade, form: dict[str, str]) -> None:
    if trade.notify_url:
        threading.Thread(target=deliver, args=(state, trade, form), daemon=True,
                         name=f"alipay-notify-{trade.out_trade_no}").start()
