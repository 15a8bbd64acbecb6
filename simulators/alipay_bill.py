"""The simulator's daily trade bill (对账单): ``alipay.data.dataservice.bill.downloadurl.query``
and the file its URL serves.

Like Alipay's: only days before today (Beijing) have a bill (``isp.bill_not_exist`` otherwise,
and for "signcustomer" or monthly bills, which the simulator does not make); the URL works for 30
seconds; the file is a zip of two GBK CSV files, "<account>_<yyyyMMdd>_业务明细.csv" (a row per
payment and per refund, "#" comment lines around it, tab-suffixed numbers, refunds negative) and
"..._业务明细(汇总).csv", with GBK file names and no UTF-8 flag.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import zipfile
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from simulators.alipay import BEIJING, AlipayError, AlipaySimulatorState, MethodCall
from simulators.alipay_trade import Trade, beijing, trade_book, yuan

BILL_URL_TTL = 30
DOWNLOAD_PATH = "/downloadBillFile.resource"
DETAIL_HEADER = [
    "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号",
    "门店名称", "操作员", "终端号", "对方账户", "订单金额（元）", "商家实收（元）",
    "支付宝红包（元）", "集分宝（元）", "支付宝优惠（元）", "商家优惠（元）", "券核销金额（元）",
    "券名称", "商家红包消费金额（元）", "卡消费金额（元）", "退款批次号/请求号", "服务费（元）",
    "分润（元）", "备注",
]
SUMMARY_HEADER = ["门店编号", "门店名称", "交易订单总笔数", "退款订单总笔数", "订单金额（元）",
                  "商家实收（元）", "服务费（元）", "实收净额（元）"]
_ZERO = "0.00"
_BILL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")  # daily or monthly


class _GbkName(zipfile.ZipInfo):
    """Alipay's zips store file names as GBK bytes without the UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # overrides zipfile's own method
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def bill_download_url(call: MethodCall) -> dict[str, Any]:
    bill_type, bill_date = call.biz_content.get("bill_type"), call.biz_content.get("bill_date")
    if bill_type not in ("trade", "signcustomer"):
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: bill_type")
    if not isinstance(bill_date, str) or not _BILL_DATE.fullmatch(bill_date):
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: bill_date")
    try:
        day = date.fromisoformat(bill_date) if len(bill_date) == 10 else None
    except ValueError:
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: bill_date") from None
    today = datetime.fromtimestamp(call.now, BEIJING).date()
    if bill_type != "trade" or day is None or day >= today:
        raise AlipayError("40004", "isp.bill_not_exist", "账单不存在", in_method_response=True)
    token = secrets.token_urlsafe(16)
    with call.state.lock:
        files = call.state.extra.setdefault("alipay_bill_files", {})
        files[token] = (call.app_id, day, call.now + BILL_URL_TTL)
    account = trade_book(call.state).seller_id
    query = urlencode({"bizType": "trade", "userId": account, "fileType": "csv.zip",
                       "bizDates": day.strftime("%Y%m%d"), "fileId": token})
    return {"code": "10000", "msg": "Success",
            "bill_download_url": f"{request.host_url.rstrip('/')}{DOWNLOAD_PATH}?{query}"}


BILL_METHODS = {"alipay.data.dataservice.bill.downloadurl.query": bill_download_url}


def register_bill_routes(app: Flask, state: AlipaySimulatorState) -> None:
    @app.get(DOWNLOAD_PATH)
    def download_bill() -> Response:
        with state.lock:
            entry = state.extra.get("alipay_bill_files", {}).get(request.args.get("fileId"))
        if entry is None or entry[2] <= state.clock():
            return Response("file not found or link expired", status=404,
                            mimetype="text/plain")
        app_id, day, _ = entry
        name = f"{trade_book(state).seller_id}0156_{day:%Y%m%d}.csv.zip"
        return Response(bill_zip(state, app_id, day), mimetype="application/zip",
                        headers={"Content-Disposition": f"attachment; filename={name}"})


def bill_zip(state: AlipaySimulatorState, app_id: str, day: date) -> bytes:
    """The bill of `app_id` for `day` (Beijing), from the trades as they are now."""
    rows: list[tuple[float, list[str]]] = []
    with state.lock:
        for trade in trade_book(state).trades.values():
            if trade.app_id != app_id:
                continue
            if trade.paid_at is not None and _day(trade.paid_at) == day:
                rows.append((trade.paid_at, _row(trade, "交易", trade.total_fen, trade.paid_at)))
            for refund in trade.refunds.values():
                if _day(refund.at) == day:
                    rows.append((refund.at, _row(trade, "退款", -refund.fen, refund.at,
                                                 refund.out_request_no, refund.reason)))
        account = trade_book(state).seller_id + "0156"
    rows.sort(key=lambda item: item[0])
    lines = [row for _, row in rows]
    payments = [line for line in lines if line[2] == "交易"]
    exported = datetime.fromtimestamp(state.clock(), BEIJING)
    period = (f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   "
              f"终止日期：[{day + timedelta(days=1):%Y年%m月%d日} 00:00:00]")
    footer = f"#导出时间：[{exported:%Y年%m月%d日 %H:%M:%S}]"
    detail = _csv(
        ["#支付宝业务明细查询", f"#账号：[{account}]", period, "#" + "-" * 41 + "业务明细列表"
         + "-" * 40],
        [DETAIL_HEADER, *lines],
        ["#" + "-" * 41 + "业务明细列表结束" + "-" * 36,
         f"#交易合计：{len(payments)}笔，退款合计：{len(lines) - len(payments)}笔", footer])
    total = sum(_fen(line[11]) for line in lines)
    fees = sum(_fen(line[22]) for line in lines)
    summary = _csv(
        ["#支付宝业务汇总查询", f"#账号：[{account}]", period],
        [SUMMARY_HEADER, ["", "合计", str(len(payments)), str(len(lines) - len(payments)),
                          _signed(total), _signed(total), _signed(fees), _signed(total + fees)]],
        ["#结束", footer])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for suffix, text in (("业务明细.csv", detail), ("业务明细(汇总).csv", summary)):
            info = _GbkName(f"{account}_{day:%Y%m%d}_{suffix}", exported.timetuple()[:6])
            archive.writestr(info, text.encode("gbk", errors="replace"),
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _row(trade: Trade, kind: str, fen: int, at: float, request_no: str = "",
         note: str = "") -> list[str]:
    magnitude = (abs(fen) * 6 + 500) // 1000  # a 0.6 % fee, handed back on refunds
    fee = -magnitude if fen > 0 else magnitude
    amount = _signed(fen)
    return [trade.trade_no + "\t", trade.out_trade_no + "\t", kind, trade.subject,
            beijing(trade.created_at), beijing(at), "", "", "", "", trade.logon_id, amount,
            amount, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, "", _ZERO, _ZERO,
            request_no + "\t" if request_no else "", _signed(fee), _ZERO, note]


def _csv(head: list[str], rows: list[list[str]], tail: list[str]) -> str:
    out = io.StringIO()
    out.write("\r\n".join(head) + "\r\n")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    out.write("\r\n".join(tail) + "\r\n")
    return out.getvalue()


def _signed(fen: int) -> str:
    return ("-" if fen < 0 else "") + yuan(abs(fen))


def _fen(text: str) -> int:
    negative = text.startswith("-")
    whole, _, cents = text.lstrip("-").partition(".")
    fen = int(whole) * 100 + int(cents or "0")
    return -fen if negative else fen


def _day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, BEIJING).date()
