"""Daily reconciliation (对账): the gateway's bill against our ledger, every difference named.

Both sides are lists of `BillLine`; the backend builds ours from its orders and refunds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from payments.gateway import BillLine


class MismatchKind(StrEnum):
    MISSING_LOCALLY = "missing_locally"  # the gateway took or returned money we have no record of
    MISSING_AT_GATEWAY = "missing_at_gateway"  # we think money moved; the gateway's bill disagrees
    AMOUNT_DIFFERS = "amount_differs"


@dataclass(frozen=True)
class Mismatch:
    kind: MismatchKind
    line_kind: str  # "payment" | "refund"
    out_trade_no: str
    reference: str  # out_trade_no for a payment, out_refund_no for a refund
    gateway_fen: int | None
    ledger_fen: int | None


def _key(line: BillLine) -> tuple[str, str]:
    return line.kind, line.out_refund_no if line.kind == "refund" else line.out_trade_no


def _index(lines: Iterable[BillLine]) -> dict[tuple[str, str], BillLine]:
    index: dict[tuple[str, str], BillLine] = {}
    for line in lines:
        key = _key(line)
        if key in index:  # a gateway never bills one trade twice a day; sum if it ever does
            previous = index[key]
            line = BillLine(line.kind, line.out_trade_no, previous.amount_fen + line.amount_fen,
                            line.transaction_id, line.out_refund_no, line.occurred_at)
        index[key] = line
    return index


def reconcile(gateway: Iterable[BillLine], ledger: Iterable[BillLine]) -> list[Mismatch]:
    """Every line that is on one side only, or on both with different amounts."""
    theirs, ours = _index(gateway), _index(ledger)
    mismatches = []
    for key in sorted(theirs.keys() | ours.keys()):
        bill, local = theirs.get(key), ours.get(key)
        line = bill or local
        if bill is None:
            kind = MismatchKind.MISSING_AT_GATEWAY
        elif local is None:
            kind = MismatchKind.MISSING_LOCALLY
        elif bill.amount_fen != local.amount_fen:
            kind = MismatchKind.AMOUNT_DIFFERS
        else:
            continue
        mismatches.append(Mismatch(kind, key[0], line.out_trade_no, key[1],
                                   bill.amount_fen if bill else None,
                                   local.amount_fen if local else None))
    return mismatches
