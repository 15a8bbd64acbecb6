"""AlipayGateway through python-alipay-sdk against the Alipay simulator over real HTTP, with the
simulator's notifications delivered to a small receiver app on loopback."""

from __future__ import annotations

import base64
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask, Response, request

from payments.alipay import AlipayGateway
from payments.alipay_client import yuan_to_fen
from payments.gateway import (
    InvalidNotification,
    Notification,
    OrderRequest,
    PaymentError,
    RefundRequest,
    RefundState,
    TradeState,
)
from payments.orders import fen_to_yuan
from simulators.alipay import create_alipay_simulator
from simulators.keys import cached_rsa_keypair
from simulators.server import SimulatorServer

APP_ID = "2021000000000007"
OTHER_APP_ID = "2021000000000008"
BUYER = "2088123412341234"


class Receiver:
    """Our notify endpoint: parses with the gateway and answers with its acknowledgement."""

    def __init__(self) -> None:
        self.gateway: AlipayGateway | None = None
        self.url = ""  # set once served
        self.received: list[Notification | InvalidNotification] = []
        self._changed = threading.Condition()

    def app(self) -> Flask:
        app = Flask(__name__)

        @app.post("/alipay/notify")
        def notify() -> Response:
            assert self.gateway is not None
            try:
                outcome = self.gateway.parse_notification(request.headers, request.get_data())
            except InvalidNotification as exc:
                outcome = exc
            with self._changed:
                self.received.append(outcome)
                self._changed.notify_all()
            ack = self.gateway.acknowledge(isinstance(outcome, Notification))
            return Response(ack.body, status=ack.status, content_type=ack.content_type)

        return app

    def wait_for(self, predicate, timeout: float = 5):
        with self._changed:
            assert self._changed.wait_for(
                lambda: next((n for n in self.received if predicate(n)), None), timeout)
            return next(n for n in self.received if predicate(n))


@pytest.fixture(scope="module")
def keys():
    return (cached_rsa_keypair("alipay-app"), cached_rsa_keypair("alipay-platform"),
            cached_rsa_keypair("alipay-stranger"))


@pytest.fixture(scope="module")
def simulator(keys):
    app_keys, alipay_keys, stranger_keys = keys
    app = create_alipay_simulator(
        {APP_ID: app_keys.public_pem, OTHER_APP_ID: stranger_keys.public_pem},
        alipay_keys.private_pem)
    with SimulatorServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    with SimulatorServer(receiver.app()) as server:
        receiver.url = server.url + "/alipay/notify"
        yield receiver


@pytest.fixture(scope="module")
def gateway(keys, simulator, receiver) -> AlipayGateway:
    app_keys, alipay_keys, _ = keys
    gateway = AlipayGateway(APP_ID, app_keys.private_pem, alipay_keys.public_pem,
                            gateway_url=simulator.url + "/gateway.do", notify_url=receiver.url)
    receiver.gateway = gateway
    return gateway


def order(amount_fen: int = 1234, payer: str = BUYER, **changes) -> OrderRequest:
    fields = {"out_trade_no": "T" + uuid.uuid4().hex[:20], "amount_fen": amount_fen,
              "description": "华康市第一人民医院 心血管内科 挂号费", "payer_id": payer,
              "notify_url": "",
              "expires_at": datetime.now(UTC) + timedelta(minutes=15), **changes}
    return OrderRequest(**fields)


def sim_trade(simulator, out_trade_no: str) -> dict:
    response = requests.get(f"{simulator.url}/_sim/trades/{out_trade_no}", timeout=5)
    response.raise_for_status()
    return response.json()


def pay(simulator, out_trade_no: str, **extra) -> requests.Response:
    return requests.post(f"{simulator.url}/_sim/trades/pay",
                         json={"out_trade_no": out_trade_no, **extra}, timeout=10)


def paid_order(gateway, simulator, amount_fen: int = 1000) -> OrderRequest:
    placed = order(amount_fen)
    gateway.create_order(placed)
    assert pay(simulator, placed.out_trade_no).json()["delivery"]["delivered"]
    return placed


def sign_form(form: dict[str, str], private_pem: str) -> bytes:
    """An Alipay-style signature over the form, by whatever key is given."""
    form = {k: v for k, v in form.items() if k != "sign"}
    content = "&".join(f"{k}={v}" for k, v in sorted(form.items()) if k != "sign_type" and v)
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    signature = key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return urlencode({**form, "sign": base64.b64encode(signature).decode()}).encode()


# -- orders ---------------------------------------------------------------------------------

def test_create_order_gives_what_my_trade_pay_takes(gateway, simulator, receiver):
    placed = order(expires_at=datetime(2030, 1, 1, tzinfo=UTC))
    payment = gateway.create_order(placed)
    trade = sim_trade(simulator, placed.out_trade_no)
    assert payment.channel == "alipay" and payment.params == {"tradeNO": trade["trade_no"]}
    assert (trade["total_amount"], trade["buyer_id"], trade["buyer_open_id"]) == (
        "12.34", BUYER, None)
    assert trade["notify_url"] == receiver.url  # the gateway's default
    assert trade["time_expire"] == "2030-01-01 08:00:00"  # Beijing time
    assert gateway.query(placed.out_trade_no).state is TradeState.NOT_PAID


def test_an_open_id_payer_is_sent_as_buyer_open_id(gateway, simulator):
    minted = requests.post(f"{simulator.url}/_sim/auth-codes", json={"app_id": APP_ID},
                           timeout=5).json()
    placed = order(payer=minted["open_id"])
    gateway.create_order(placed)
    trade = sim_trade(simulator, placed.out_trade_no)
    assert (trade["buyer_id"], trade["buyer_open_id"]) == (None, minted["open_id"])


def test_repeated_create_is_idempotent_and_changed_content_is_refused(gateway):
    placed = order()
    assert gateway.create_order(placed) == gateway.create_order(placed)
    with pytest.raises(PaymentError) as caught:
        gateway.create_order(order(amount_fen=999, out_trade_no=placed.out_trade_no))
    assert (caught.value.code, caught.value.transient) == ("ACQ.CONTEXT_INCONSISTENT", False)


@pytest.mark.parametrize(("fen", "sent"), [(1, "0.01"), (100000, "1000.00"), (1010, "10.10")])
def test_amounts_are_sent_in_yuan_with_two_decimals(gateway, simulator, fen, sent):
    placed = order(amount_fen=fen)
    gateway.create_order(placed)
    assert sim_trade(simulator, placed.out_trade_no)["total_amount"] == sent
    assert gateway.query(placed.out_trade_no).amount_fen == fen


@pytest.mark.parametrize("fen", [0, -1, 1.5, True])
def test_orders_without_a_whole_positive_amount_are_refused_before_calling(gateway, fen):
    with pytest.raises(ValueError):
        gateway.create_order(order(amount_fen=fen))


# -- payment and its notification -----------------------------------------------------------

def test_paying_delivers_a_verified_notification(gateway, simulator, receiver):
    placed = order(amount_fen=2500)
    trade_no = gateway.create_order(placed).params["tradeNO"]
    delivery = pay(simulator, placed.out_trade_no).json()["delivery"]
    assert delivery == {"delivered": True, "status": 200, "body": "success", "error": None}
    notification = receiver.wait_for(lambda n: isinstance(n, Notification) and n.payment
                                     and n.payment.out_trade_no == placed.out_trade_no)
    payment = notification.payment
    assert (payment.state, payment.amount_fen, payment.transaction_id) == (
        TradeState.PAID, 2500, trade_no)
    assert payment.paid_at.tzinfo is not None and notification.notification_id
    status = gateway.query(placed.out_trade_no)
    assert (status.state, status.amount_fen, status.transaction_id) == (
        TradeState.PAID, 2500, trade_no)
    assert status.paid_at == payment.paid_at


def test_a_resent_notification_keeps_its_notify_id(gateway, simulator, receiver):
    placed = order()
    gateway.create_order(placed)
    assert pay(simulator, placed.out_trade_no, notify=False).json()["delivery"] is None
    resend = requests.post(f"{simulator.url}/_sim/trades/notify/resend",
                           json={"out_trade_no": placed.out_trade_no}, timeout=10).json()
    assert resend["delivery"]["delivered"]
    requests.post(f"{simulator.url}/_sim/trades/notify/resend",
                  json={"out_trade_no": placed.out_trade_no}, timeout=10)
    ours = [n for n in receiver.received if isinstance(n, Notification) and n.payment
            and n.payment.out_trade_no == placed.out_trade_no]
    assert len(ours) == 2 and ours[0].notification_id == ours[1].notification_id


def _last_form(simulator, out_trade_no: str) -> dict[str, str]:
    return dict(sim_trade(simulator, out_trade_no)["notifications"][-1]["form"])


def test_forged_and_tampered_notifications_are_rejected(gateway, simulator, keys, receiver):
    placed = order(amount_fen=100)
    gateway.create_order(placed)
    pay(simulator, placed.out_trade_no, notify=False)
    form = _last_form(simulator, placed.out_trade_no)
    forged = sign_form({**form, "total_amount": "0.01"}, keys[2].private_pem)  # stranger's key
    tampered = urlencode({**form, "total_amount": "0.01"}).encode()
    for body in (forged, tampered):
        with pytest.raises(InvalidNotification) as caught:
            gateway.parse_notification({}, body)
        assert caught.value.code == "invalid_signature"
    answer = requests.post(receiver.url, data=forged, timeout=5,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (answer.status_code, answer.text) == (200, "failure")
    assert gateway.parse_notification({}, urlencode(form).encode()).payment.amount_fen == 100


def test_a_notification_for_another_app_is_rejected(keys, simulator, gateway):
    _, alipay_keys, stranger_keys = keys
    other = AlipayGateway(OTHER_APP_ID, stranger_keys.private_pem, alipay_keys.public_pem,
                          gateway_url=simulator.url + "/gateway.do")
    placed = order()
    other.create_order(placed)
    pay(simulator, placed.out_trade_no, notify=False)
    body = urlencode(_last_form(simulator, placed.out_trade_no)).encode()  # signed by Alipay
    assert other.parse_notification({}, body).payment.state is TradeState.PAID
    with pytest.raises(InvalidNotification) as caught:
        gateway.parse_notification({}, body)
    assert caught.value.code == "wrong_app_id"


@pytest.mark.parametrize("body", [
    b"", b"not a form", b"total_amount=1.00&sign=abc", b"\xff\xfe=1",
    b"app_id=1&app_id=2&sign=abc&sign_type=RSA2",
])
def test_malformed_notification_bodies_are_rejected(gateway, body):
    with pytest.raises(InvalidNotification):
        gateway.parse_notification({}, body)


@pytest.mark.parametrize("amount", ["12.345", "-1.00", "1e3", "", "abc"])
def test_signed_notifications_with_malformed_amounts_are_rejected(gateway, keys, amount):
    form = {"app_id": APP_ID, "out_trade_no": "T1", "trade_no": "2024", "charset": "utf-8",
            "trade_status": "TRADE_SUCCESS", "total_amount": amount, "sign_type": "RSA2"}
    with pytest.raises(InvalidNotification) as caught:
        gateway.parse_notification({}, sign_form(form, keys[1].private_pem))
    assert caught.value.code == "malformed_notification"


def test_acknowledgements_speak_alipays_protocol(gateway):
    assert (gateway.acknowledge(True).status, gateway.acknowledge(True).body) == (200, "success")
    assert gateway.acknowledge(False).body == "failure"
    assert gateway.acknowledge(False).content_type == "text/plain"


# -- close ----------------------------------------------------------------------------------

def test_close_is_final_and_repeatable(gateway, simulator):
    placed = order()
    gateway.create_order(placed)
    gateway.close(placed.out_trade_no)
    gateway.close(placed.out_trade_no)  # closing a closed trade is fine
    assert gateway.query(placed.out_trade_no).state is TradeState.CLOSED
    assert pay(simulator, placed.out_trade_no).status_code == 409
    gateway.close("T" + uuid.uuid4().hex[:20])  # never created: nothing to close


def test_closing_a_paid_trade_says_so(gateway, simulator):
    placed = paid_order(gateway, simulator)
    with pytest.raises(PaymentError) as caught:
        gateway.close(placed.out_trade_no)
    assert caught.value.code == "ACQ.TRADE_HAS_SUCCESS"


def test_an_order_past_its_time_expire_closes_by_itself(gateway, simulator):
    placed = order(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    gateway.create_order(placed)
    assert gateway.query(placed.out_trade_no).state is TradeState.CLOSED
    assert pay(simulator, placed.out_trade_no).status_code == 409


def test_the_pay_control_checks_its_input(simulator):
    url = f"{simulator.url}/_sim/trades/pay"
    assert requests.post(url, json={"out_trade_no": "T-none"}, timeout=5).status_code == 404
    assert requests.post(url, json={}, timeout=5).status_code == 400
    assert requests.post(url, data="x", timeout=5).status_code == 400


def test_query_of_an_unknown_trade_is_unknown(gateway):
    assert gateway.query("T" + uuid.uuid4().hex[:20]).state is TradeState.UNKNOWN


# -- refunds --------------------------------------------------------------------------------

def test_refunds_are_idempotent_and_notified(gateway, simulator, receiver):
    placed = paid_order(gateway, simulator, 1000)
    first = RefundRequest(placed.out_trade_no, "R" + uuid.uuid4().hex[:16], 300, 1000, "退号",
                          receiver.url)
    status = gateway.refund(first)
    assert (status.state, status.refund_fen) == (RefundState.SUCCESS, 300)
    assert gateway.refund(first).state is RefundState.SUCCESS  # the same request again
    assert sim_trade(simulator, placed.out_trade_no)["refunded_fen"] == 300  # paid back once
    notified = receiver.wait_for(lambda n: isinstance(n, Notification) and n.refund
                                 and n.refund.out_refund_no == first.out_refund_no)
    assert (notified.refund.state, notified.refund.refund_fen) == (RefundState.SUCCESS, 300)
    assert notified.refund.refunded_at is not None
    queried = gateway.query_refund(placed.out_trade_no, first.out_refund_no)
    assert (queried.state, queried.refund_fen) == (RefundState.SUCCESS, 300)
    assert gateway.query(placed.out_trade_no).state is TradeState.PAID

    rest = RefundRequest(placed.out_trade_no, "R" + uuid.uuid4().hex[:16], 700, 1000, "", "")
    assert gateway.refund(rest).state is RefundState.SUCCESS
    assert gateway.query(placed.out_trade_no).state is TradeState.REFUNDED


def test_refunding_more_than_was_paid_is_refused(gateway, simulator):
    placed = paid_order(gateway, simulator, 500)
    with pytest.raises(ValueError):  # our own check first
        gateway.refund(RefundRequest(placed.out_trade_no, "R1", 600, 500, "", ""))
    with pytest.raises(PaymentError) as caught:  # Alipay's, when our total is wrong
        gateway.refund(RefundRequest(placed.out_trade_no, "R1", 600, 600, "", ""))
    assert (caught.value.code, caught.value.transient) == ("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", False)
    gateway.refund(RefundRequest(placed.out_trade_no, "R2", 300, 500, "", ""))
    with pytest.raises(PaymentError) as caught:
        gateway.refund(RefundRequest(placed.out_trade_no, "R3", 300, 500, "", ""))
    assert caught.value.code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    with pytest.raises(PaymentError) as caught:
        gateway.refund(RefundRequest(placed.out_trade_no, "R2", 200, 500, "", ""))
    assert caught.value.code == "ACQ.DISCORDANT_REPEAT_REQUEST"
    assert sim_trade(simulator, placed.out_trade_no)["refunded_fen"] == 300


def test_refunds_of_unpaid_or_unknown_trades_and_unknown_refunds(gateway):
    placed = order()
    gateway.create_order(placed)
    with pytest.raises(PaymentError) as caught:
        gateway.refund(RefundRequest(placed.out_trade_no, "R1", 100, 1234, "", ""))
    assert caught.value.code == "ACQ.TRADE_STATUS_ERROR"
    with pytest.raises(PaymentError) as caught:
        gateway.query_refund(placed.out_trade_no, "R1")
    assert caught.value.code == "refund_not_found"
    with pytest.raises(PaymentError) as caught:
        gateway.query_refund("T" + uuid.uuid4().hex[:20], "R1")
    assert caught.value.code == "ACQ.TRADE_NOT_EXIST"


# -- failures of the transport --------------------------------------------------------------

def test_an_unreachable_gateway_is_a_transient_error(keys):
    app_keys, alipay_keys, _ = keys
    dead = SimulatorServer(Flask(__name__)).start()
    dead.stop()
    gateway = AlipayGateway(APP_ID, app_keys.private_pem, alipay_keys.public_pem,
                            gateway_url=dead.url + "/gateway.do", timeout=1)
    for call in (lambda: gateway.create_order(order()), lambda: gateway.query("T1"),
                 lambda: gateway.download_bill(date(2020, 1, 1))):
        with pytest.raises(PaymentError) as caught:
            call()
        assert caught.value.transient and caught.value.code == "network"


@pytest.mark.parametrize(("reply", "code"), [
    (lambda: Response("<html>bad gateway</html>", status=502), "http_502"),
    (lambda: Response("<html>login portal</html>"), "malformed_response"),
    (lambda: (time.sleep(1), Response("{}"))[1], "network"),
])
def test_5xx_non_json_and_timeouts_are_transient(keys, reply, code):
    app_keys, alipay_keys, _ = keys
    app = Flask(__name__)
    app.add_url_rule("/gateway.do", "gateway", reply)
    with SimulatorServer(app) as server:
        gateway = AlipayGateway(APP_ID, app_keys.private_pem, alipay_keys.public_pem,
                                gateway_url=server.url + "/gateway.do", timeout=0.3)
        with pytest.raises(PaymentError) as caught:
            gateway.query("T1")
    assert caught.value.transient and caught.value.code == code


def test_answers_signed_by_another_key_are_not_trusted(keys, simulator):
    app_keys, _, stranger_keys = keys
    gateway = AlipayGateway(APP_ID, app_keys.private_pem, stranger_keys.public_pem,
                            gateway_url=simulator.url + "/gateway.do")
    with pytest.raises(PaymentError) as caught:
        gateway.query("T1")
    assert (caught.value.code, caught.value.transient) == ("invalid_response_signature", False)


# -- money ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "fen"), [
    ("0.01", 1), ("1000.00", 100000), ("12.34", 1234), ("0.1", 10), ("3", 300),
    ("99999999.99", 9999999999), ("0.00", 0),
])
def test_yuan_to_fen_is_exact(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", [
    "", " 1.00", "1.00 ", "1.234", "-1.00", "+1.00", "1e2", "NaN", "Infinity", "1,00", ".5",
    "1.", "１.00", "0x10", "1_000.00",
])
def test_malformed_yuan_is_refused(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


@pytest.mark.parametrize("fen", [1, 10, 99, 100, 100000, 123456789])
def test_fen_to_yuan_round_trips(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen
