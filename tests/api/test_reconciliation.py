"""Daily reconciliation names every difference between a gateway's bill and our ledger.

The gateways' bills hold every trade of the day, so this module has simulators of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from backend.demo.runner import start_simulators
from backend.extensions import db
from backend.services.reconciliation import reconcile_day
from backend.timeutil import CLINIC_TZ, local_today
from simulators.server import SimulatorServer
from tests.booking_support import gateway_pays, held_booking, open_clinic, order_of, start_payment
from tests.conftest import make_app


@pytest.fixture(scope="module")
def own_simulators():
    running = start_simulators()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def served(app, own_simulators):
    inline = make_app(own_simulators, JOBS_INLINE=True)
    with SimulatorServer(inline) as server:
        inline.config["PAYMENT_NOTIFY_BASE_URL"] = server.url
        yield inline


def paid(web, simulators, channel):
    _, who, booking_id = held_booking(web, channel)
    start_payment(web, who, booking_id, channel)
    gateway_pays(simulators, channel, order_of(booking_id).out_trade_no)
    return order_of(booking_id)


def test_a_clean_day_has_no_differences_and_a_wrong_amount_is_reported_to_admins(
        web, own_simulators):
    first, second = paid(web, own_simulators, "wechat"), paid(web, own_simulators, "wechat")
    today = local_today()
    assert reconcile_day(today)["wechat"] == 0
    second.amount_fen = 1400  # the ledger disagrees with what WeChat took
    db.session.commit()
    assert reconcile_day(today)["wechat"] == 1
    assert reconcile_day(today)["wechat"] == 0  # a re-run adds nothing twice
    admin = open_clinic(web).admin
    mismatches = web.get("/api/v1/admin/payments/reconciliation", headers=admin).json["data"]
    assert [(m["kind"], m["reference"], m["gateway_fen"], m["ledger_fen"]) for m in mismatches
            ] == [("amount_differs", second.out_trade_no, 1500, 1400)]
    alerts = web.get("/api/v1/admin/alerts", headers=admin).json["data"]
    assert any(a["kind"] == "reconciliation" and second.out_trade_no in a["message"]
               for a in alerts)
    assert first.out_trade_no not in str(mismatches)


def test_an_alipay_bill_is_reconciled_the_next_day(web, own_simulators):
    order = paid(web, own_simulators, "alipay")
    tomorrow = local_today() + timedelta(days=1)
    with time_machine.travel(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10,
                                      tzinfo=CLINIC_TZ)):
        found = reconcile_day(tomorrow - timedelta(days=1))
    assert found["alipay"] == 0 and order.status == "paid"
