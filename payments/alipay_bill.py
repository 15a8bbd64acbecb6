"""Alipay's daily trade bill (对账单, bill_type "trade") as `BillLine`s.

What `bill_download_url` serves is a zip of two GBK CSV files, "<pid>_<yyyyMMdd>_业务明细.csv"
(one row per payment or refund) and "..._业务明细(汇总).csv" (totals per store). File names in
the zip are GBK bytes without the UTF-8 flag, so the detail file is recognised by its header row
rather than by name. Comment lines start with "#"; fields carry trailing tabs (so spreadsheets keep
long numbers as text); refund rows have negative amounts.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile

from payments.alipay_client import parse_beijing_time, yuan_to_fen
from payments.gateway import BillLine, PaymentError

log = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 256 * 1024 * 1024  # a day's bill of a large hospital is a few MB

TRADE_NO, OUT_TRADE_NO, KIND = "支付宝交易号", "商户订单号", "业务类型"
FINISHED_AT, AMOUNT, REQUEST_NO = "完成时间", "订单金额", "退款批次号/请求号"
_KINDS = {"交易": "payment", "退款": "refund"}


class BillFormatError(PaymentError):
    """The downloaded bill is not the zip of CSV files Alipay documents."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Alipay bill: {message}", code="bill_format")


def parse_trade_bill(data: bytes) -> list[BillLine]:
    """The payment and refund lines of a downloaded bill zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BillFormatError("not a zip file") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".csv"):
                continue
            if info.file_size > MAX_UNCOMPRESSED:
                raise BillFormatError(f"{info.file_size} bytes uncompressed is too large")
            text = archive.read(info).decode("gb18030")  # GB18030 is a superset of GBK
            rows = _rows(text)
            if rows and TRADE_NO in rows[0] and KIND in rows[0]:
                return _lines(rows)
    raise BillFormatError("no 业务明细 (detail) file in the zip")


def _rows(text: str) -> list[list[str]]:
    data = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [[_clean(cell) for cell in row] for row in csv.reader(data)]


def _clean(cell: str) -> str:
    return cell.strip().replace("（元）", "").replace("(元)", "")


def _lines(rows: list[list[str]]) -> list[BillLine]:
    header = rows[0]
    missing = [name for name in (TRADE_NO, OUT_TRADE_NO, KIND, FINISHED_AT, AMOUNT, REQUEST_NO)
               if name not in header]
    if missing:
        raise BillFormatError(f"columns missing: {', '.join(missing)}")
    column = {name: header.index(name) for name in header}
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise BillFormatError(f"row {number} has {len(row)} fields, not {len(header)}")
        kind = _KINDS.get(row[column[KIND]])
        if kind is None:
            log.warning("alipay bill row of an unhandled kind skipped",
                        extra={"row": number, "kind": row[column[KIND]]})
            continue
        try:
            amount = row[column[AMOUNT]]
            amount_fen = yuan_to_fen(amount.removeprefix("-"))
            occurred_at = (parse_beijing_time(row[column[FINISHED_AT]])
                           if row[column[FINISHED_AT]] else None)
        except ValueError as exc:
            raise BillFormatError(f"row {number}: {exc}") from None
        refund_no = row[column[REQUEST_NO]] or None
        if kind == "refund" and refund_no is None:
            raise BillFormatError(f"row {number}: a refund without its request number")
        lines.append(BillLine(
            kind=kind,
            out_trade_no=row[column[OUT_TRADE_NO]],
            amount_fen=amount_fen,
            transaction_id=row[column[TRADE_NO]] or None,
            out_refund_no=refund_no if kind == "refund" else None,
            occurred_at=occurred_at,
        ))
    return lines
