"""The payment order's life (支付订单状态机): every allowed move is listed here, nothing else is.

    created ──paid──► paid ──refund──► refunding ──refunded──► refunded
       │                                    └──refund_failed──► paid (a person looks; see alerts)
       └──close──► closed

A move that is not in the table raises `IllegalTransition`; a move to the state the order is
already in is a repeat (a replayed notification) and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrderState(StrEnum):
    CREATED = "created"
    PAID = "paid"
    REFUNDING = "refunding"
    REFUNDED = "refunded"
    CLOSED = "closed"


ALLOWED: dict[OrderState, frozenset[OrderState]] = {
    OrderState.CREATED: frozenset({OrderState.PAID, OrderState.CLOSED}),
    OrderState.PAID: frozenset({OrderState.REFUNDING}),
    OrderState.REFUNDING: frozenset({OrderState.REFUNDED, OrderState.PAID}),
    OrderState.REFUNDED: frozenset(),
    OrderState.CLOSED: frozenset({OrderState.PAID}),  # paid just as it closed: refund follows
}

# How far along the money is; a late message about an earlier stage never moves an order back.
_PROGRESS = {OrderState.CREATED: 0, OrderState.CLOSED: 0, OrderState.PAID: 1,
             OrderState.REFUNDING: 2, OrderState.REFUNDED: 3}


class IllegalTransition(ValueError):
    def __init__(self, current: OrderState, target: OrderState) -> None:
        super().__init__(f"an order cannot go from {current} to {target}")
        self.current, self.target = current, target


@dataclass(frozen=True)
class Move:
    """The outcome of a requested transition: `changed` is False for a repeat or stale news."""

    current: OrderState
    target: OrderState
    changed: bool


def decide(current: OrderState | str, target: OrderState | str, *, stale_ok: bool = False) -> Move:
    """Check a transition. With `stale_ok` (gateway messages, which arrive in any order), a
    message about a stage the order has already passed is ignored instead of refused."""
    current, target = OrderState(current), OrderState(target)
    if current == target:
        return Move(current, target, changed=False)
    if target in ALLOWED[current]:
        return Move(current, target, changed=True)
    if stale_ok and _PROGRESS[target] < _PROGRESS[current]:
        return Move(current, target, changed=False)
    raise IllegalTransition(current, target)


def fen_to_yuan(fen: int) -> str:
    """Integer fen as a yuan string with two decimals, without floats: 1 → "0.01"."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise ValueError(f"an amount in fen must be a non-negative integer, not {fen!r}")
    return f"{fen // 100}.{fen % 100:02d}"
