"""WeChat Pay's trade bill (交易账单) as BillLines, for daily reconciliation (对账).

The file is CSV: a header line, one line per trade with every field prefixed by a backtick (so
spreadsheets keep long numbers as text), then a summary header and its values line. Amounts are
yuan with two decimals; times are China Standard Time without an offset.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from payments.gateway import BillLine, PaymentError

CST = timezone(timedelta(hours=8), "Asia/Shanghai")

def _bill_error(reason: str) -> PaymentError:
    return PaymentError(f"WeChat Pay bill: {reason}", code="bill_malformed")


def _fen(value: str) -> int:
    try:
        fen = Decimal(value) * 100
    except InvalidOperation:
        raise _bill_error(f"amount {value!r} is not a number") from None
    if not fen.is_finite() or fen != fen.to_integral_value():
        raise _bill_error(f"amount {value!r} has fractions of a fen")
    return int(fen)


def parse_trade_bill(text: str) -> list[BillLine]:
    """WeChat's trade bill CSV (header, backtick-prefixed trade lines, summary) as BillLines:
    a payment per SUCCESS line (订单金额), a refund per REFUND line whose 退款状态 is SUCCESS
    (申请退款金额). Columns are found by name; the summary's 总交易单数 must match the lines."""
    rows = [[cell.strip().removeprefix("`") for cell in row]
            for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(map(str.strip, row))]
    ends = [i for i, row in enumerate(rows) if row and row[0] == "总交易单数"]
    if not rows or not ends or ends[0] + 1 >= len(rows):
        raise _bill_error("no header or no summary")
    header, trades = rows[0], rows[1:ends[0]]
    summary = dict(zip(rows[ends[0]], rows[ends[0] + 1], strict=False))
    if summary.get("总交易单数") != str(len(trades)):
        raise _bill_error(f"summary counts {summary.get('总交易单数')}, bill has {len(trades)}")
    lines = []
    for row in trades:
        if len(row) != len(header):
            raise _bill_error(f"a line has {len(row)} fields, the header {len(header)}")
        line = dict(zip(header, row, strict=True))
        try:
            state = line["交易状态"]
            when = datetime.strptime(line["交易时间"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
            common = {"out_trade_no": line["商户订单号"],
                      "transaction_id": line["微信订单号"] or None, "occurred_at": when}
            if state == "SUCCESS":
                amount = _fen(line.get("订单金额") or line["应结订单金额"])
                lines.append(BillLine(kind="payment", amount_fen=amount, **common))
            elif state == "REFUND" and line.get("退款状态", "SUCCESS") == "SUCCESS":
                amount = _fen(line.get("申请退款金额") or line["退款金额"])
                lines.append(BillLine(kind="refund", amount_fen=amount,
                                      out_refund_no=line["商户退款单号"], **common))
        except (KeyError, ValueError) as exc:
            raise _bill_error(f"unreadable line: {exc}") from None
    return lines
