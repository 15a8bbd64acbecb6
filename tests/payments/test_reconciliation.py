"""Reconciliation names every difference between the gateway's bill and our ledger."""

from __future__ import annotations

from payments.gateway import BillLine
from payments.reconciliation import MismatchKind, reconcile


def pay(no, fen):
    return BillLine("payment", no, fen, transaction_id=f"T{no}")


def refund(no, ref, fen):
    return BillLine("refund", no, fen, out_refund_no=ref)


def test_matching_sides_have_no_mismatch():
    lines = [pay("A", 500), refund("A", "RA", 500), pay("B", 2000)]
    assert reconcile(lines, list(reversed(lines))) == []


def test_each_kind_of_difference_is_reported_once():
    gateway = [pay("A", 500), pay("B", 2000), refund("C", "RC", 100)]
    ledger = [pay("A", 500), pay("B", 1900), pay("D", 300)]
    found = {(m.kind, m.reference): (m.gateway_fen, m.ledger_fen)
             for m in reconcile(gateway, ledger)}
    assert found == {
        (MismatchKind.AMOUNT_DIFFERS, "B"): (2000, 1900),
        (MismatchKind.MISSING_LOCALLY, "RC"): (100, None),
        (MismatchKind.MISSING_AT_GATEWAY, "D"): (None, 300),
    }


def test_a_payment_and_its_refund_are_separate_lines():
    mismatches = reconcile([pay("A", 500)], [pay("A", 500), refund("A", "RA", 500)])
    assert [(m.kind, m.line_kind, m.out_trade_no) for m in mismatches] == [
        (MismatchKind.MISSING_AT_GATEWAY, "refund", "A")]
