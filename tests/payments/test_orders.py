"""The order state machine refuses every move it does not list and ignores stale gateway news."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.orders import ALLOWED, IllegalTransition, OrderState, decide, fen_to_yuan


def test_the_happy_path_moves_forward_one_step_at_a_time():
    path = [OrderState.CREATED, OrderState.PAID, OrderState.REFUNDING, OrderState.REFUNDED]
    for current, target in itertools.pairwise(path):
        assert decide(current, target).changed


def test_a_replayed_notification_changes_nothing():
    move = decide("paid", "paid")
    assert not move.changed


def test_an_unpaid_order_cannot_be_refunded():
    with pytest.raises(IllegalTransition):
        decide(OrderState.CREATED, OrderState.REFUNDING)


def test_a_refunded_order_is_final():
    for target in OrderState:
        if target is not OrderState.REFUNDED:
            with pytest.raises(IllegalTransition):
                decide(OrderState.REFUNDED, target)


def test_a_late_paid_notification_after_the_refund_is_ignored_not_refused():
    assert not decide(OrderState.REFUNDED, OrderState.PAID, stale_ok=True).changed
    with pytest.raises(IllegalTransition):
        decide(OrderState.REFUNDED, OrderState.PAID)


def test_a_payment_that_lands_after_the_order_was_closed_is_recorded():
    assert decide(OrderState.CLOSED, OrderState.PAID).changed


def test_every_state_has_a_row():
    assert set(ALLOWED) == set(OrderState)


@given(st.integers(min_value=0, max_value=10**12))
def test_fen_to_yuan_is_exact(fen):
    assert Decimal(fen_to_yuan(fen)) * 100 == fen
    assert len(fen_to_yuan(fen).split(".")[1]) == 2


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100"])
def test_fen_to_yuan_refuses_what_is_not_fen(bad):
    with pytest.raises(ValueError):
        fen_to_yuan(bad)
