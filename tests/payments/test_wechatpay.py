"""WeChatPayGateway through the real wechatpayv3 code path, against the WeChat Pay simulator over
real HTTP on loopback. Callbacks reach a small receiver that uses the gateway as the backend does
(parse_notification, then acknowledge), so what WeChat sends and what we accept are both real."""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, Response, request

from payments.gateway import (
    InvalidNotification,
    OrderRequest,
    PaymentError,
    RefundRequest,
    RefundState,
    TradeState,
)
from payments.wechatpay import WeChatPayGateway
from payments.wechatpay_bill import CST, parse_trade_bill
from simulators.keys import cached_rsa_keypair
from simulators.server import SimulatorServer
from simulators.wechatpay import MerchantAccount, create_wechatpay_simulator

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
APIV3_KEY = "a12d3924fd499edac8a5efc0bd1f6c03"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092025050100000000000001"
_numbers = itertools.count(1)


def new_no(prefix: str = "FD") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}{next(_numbers):04d}"


@pytest.fixture(scope="module")
def merchant_keys():
    return cached_rsa_keypair("wechatpay-merchant")


@pytest.fixture(scope="module")
def platform_keys():
    return cached_rsa_keypair("wechatpay-platform")


@pytest.fixture(scope="module")
def stranger_keys():
    return cached_rsa_keypair("wechatpay-stranger")


def serve_simulator(merchant_keys, platform_keys, **options) -> SimulatorServer:
    account = MerchantAccount(merchant_keys.public_pem, SERIAL_NO, APIV3_KEY, frozenset({APPID}))
    return SimulatorServer(create_wechatpay_simulator(
        {MCHID: account}, platform_keys.private_pem, PUBLIC_KEY_ID, **options)).start()


class Receiver:
    """Our callback endpoint in miniature: what the backend's notify view does with a gateway."""

    def __init__(self) -> None:
        self.gateway: WeChatPayGateway | None = None
        self.accepted: list = []
        self.rejected: list[InvalidNotification] = []
        self.raw: list[tuple[dict[str, str], bytes]] = []
        self.app = Flask(__name__)
        self.app.add_url_rule("/notify", view_func=self._notify, methods=["POST"])

    def _notify(self) -> Response:
        body = request.get_data()
        self.raw.append((dict(request.headers), body))
        try:
            self.accepted.append(self.gateway.parse_notification(request.headers, body))
            ack = self.gateway.acknowledge(True)
        except InvalidNotification as exc:
            self.rejected.append(exc)
            ack = self.gateway.acknowledge(False)
        return Response(ack.body, status=ack.status, content_type=ack.content_type)

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.accepted


def make_gateway(merchant_keys, platform_keys, base_url: str, notify_url: str | None,
                 **overrides) -> WeChatPayGateway:
    options = {"mchid": MCHID, "appid": APPID,
               "merchant_private_key_pem": merchant_keys.private_pem,
               "merchant_serial_no": SERIAL_NO, "apiv3_key": APIV3_KEY,
               "platform_public_key_pem": platform_keys.public_pem,
               "platform_public_key_id": PUBLIC_KEY_ID, "notify_url": notify_url,
               "base_url": base_url, "timeout": (2.0, 5.0), **overrides}
    return WeChatPayGateway(**options)


@pytest.fixture(scope="module")
def sim(merchant_keys, platform_keys):
    server = serve_simulator(merchant_keys, platform_keys)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    with SimulatorServer(receiver.app) as server:
        receiver.url = server.url + "/notify"
        yield receiver


@pytest.fixture(scope="module")
def gateway(sim, receiver, merchant_keys, platform_keys):
    gateway = make_gateway(merchant_keys, platform_keys, sim.url, receiver.url)
    receiver.gateway = gateway
    return gateway


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def order(amount_fen: int = 2500, description: str = "华康市第一人民医院 心血管内科 挂号费",
          out_trade_no: str | None = None, minutes: int = 15) -> OrderRequest:
    return OrderRequest(out_trade_no=out_trade_no or new_no(), amount_fen=amount_fen,
                        description=description, payer_id="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                        notify_url="", expires_at=datetime.now(UTC) + timedelta(minutes=minutes))


def sim_post(http, sim, path: str, **body) -> dict:
    answer = http.post(f"{sim.url}/_sim/{path}", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def paid_order(gateway, http, sim, amount_fen: int = 2500) -> str:
    out_trade_no = order(amount_fen).out_trade_no
    gateway.create_order(order(amount_fen, out_trade_no=out_trade_no))
    sim_post(http, sim, "pay", out_trade_no=out_trade_no, notify=False)
    return out_trade_no


# -- orders --------------------------------------------------------------------------------------

def test_create_order_gives_what_wx_request_payment_needs(gateway, http, sim, merchant_keys):
    request_ = order()
    payment = gateway.create_order(request_)

    params = payment.params
    assert payment.channel == "wechat"
    assert set(params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["package"].startswith("prepay_id=wx") and params["signType"] == "RSA"
    assert abs(int(params["timeStamp"]) - time.time()) < 60
    message = f"{APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    key = serialization.load_pem_public_key(merchant_keys.public_pem.encode())
    key.verify(base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(),
               hashes.SHA256())  # raises InvalidSignature if wrong
    seen = http.get(f"{sim.url}/_sim/orders/{request_.out_trade_no}", timeout=5).json()["order"]
    assert seen["prepay_id"] == params["package"].removeprefix("prepay_id=")
    assert seen["amount"] == {"total": 2500, "currency": "CNY"}
    assert seen["trade_state"] == "NOTPAY" and seen["notify_url"].endswith("/notify")
    assert datetime.fromisoformat(seen["time_expire"]).utcoffset() == timedelta(hours=8)


def test_a_long_description_is_cut_to_127_bytes_on_a_character(gateway, http, sim):
    request_ = order(description="华康市第一人民医院 " * 20)
    gateway.create_order(request_)
    seen = http.get(f"{sim.url}/_sim/orders/{request_.out_trade_no}", timeout=5).json()["order"]
    assert len(seen["description"].encode()) <= 127 and seen["description"].endswith("…")


def test_the_same_order_twice_is_the_same_prepay_but_changed_content_is_refused(gateway):
    first = order()
    assert gateway.create_order(first).params["package"] == \
        gateway.create_order(first).params["package"]
    with pytest.raises(PaymentError) as refused:
        gateway.create_order(order(amount_fen=1, out_trade_no=first.out_trade_no))
    assert refused.value.code == "INVALID_REQUEST" and not refused.value.transient


def test_bad_orders_are_refused_before_calling_wechat(gateway):
    for bad in (order(amount_fen=0), order(out_trade_no="x/../y"), order(description="  ")):
        with pytest.raises(PaymentError) as refused:
            gateway.create_order(bad)
        assert refused.value.code == "PARAM_ERROR"


def test_query_an_unknown_order_is_unknown(gateway):
    assert gateway.query(new_no()).state == TradeState.UNKNOWN


# -- payment and its notification ---------------------------------------------------------------

def test_payment_is_notified_verified_and_queried(gateway, http, sim, receiver):
    request_ = order(amount_fen=1850)
    gateway.create_order(request_)
    assert gateway.query(request_.out_trade_no).state == TradeState.NOT_PAID
    before = len(receiver.accepted)

    paid = sim_post(http, sim, "pay", out_trade_no=request_.out_trade_no)

    assert paid["notification"]["status"] == 204 and paid["notification"]["body"] == ""
    note = receiver.accepted[before]
    assert note.refund is None and note.notification_id
    assert note.payment.state == TradeState.PAID
    assert note.payment.out_trade_no == request_.out_trade_no
    assert note.payment.transaction_id == paid["transaction_id"]
    assert note.payment.amount_fen == 1850 and note.payment.paid_at.tzinfo is not None
    status = gateway.query(request_.out_trade_no)
    assert (status.state, status.transaction_id, status.amount_fen) == (
        TradeState.PAID, paid["transaction_id"], 1850)


def test_a_lost_notification_is_repaired_by_query_and_by_resending(gateway, http, sim, receiver):
    request_ = order()
    gateway.create_order(request_)
    before = len(receiver.accepted)
    assert sim_post(http, sim, "pay", out_trade_no=request_.out_trade_no,
                    notify=False)["notification"] is None
    assert len(receiver.accepted) == before
    assert gateway.query(request_.out_trade_no).state == TradeState.PAID

    first = sim_post(http, sim, "notify/resend", out_trade_no=request_.out_trade_no)
    again = sim_post(http, sim, "notify/resend", out_trade_no=request_.out_trade_no)
    assert first["notification"]["status"] == again["notification"]["status"] == 204
    one, two = receiver.accepted[before:before + 2]
    assert one.notification_id == two.notification_id  # the same event: dedupe on it
    assert one.payment.out_trade_no == request_.out_trade_no


def resource_for(out_trade_no: str, **changes) -> dict:
    return {"appid": APPID, "mchid": MCHID, "out_trade_no": out_trade_no,
            "transaction_id": "4200001234202403011234567890", "trade_type": "JSAPI",
            "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "OTHERS",
            "success_time": "2024-03-01T09:15:02+08:00", "payer": {"openid": "o-payer"},
            "amount": {"total": 2500, "payer_total": 2500, "currency": "CNY"}, **changes}


def notification(resource: dict, *, signing_pem: str, serial: str = PUBLIC_KEY_ID,
                 timestamp: int | None = None, apiv3_key: str = APIV3_KEY,
                 corrupt_ciphertext: bool = False, event_type: str = "TRANSACTION.SUCCESS",
                 tamper_after_signing: bool = False) -> tuple[dict[str, str], bytes]:
    """A callback built independently of the simulator, per WeChat Pay's documentation."""
    nonce = "f5g6h7i8j9k0"
    sealed = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), b"transaction")
    if corrupt_ciphertext:
        sealed = bytes([sealed[0] ^ 1]) + sealed[1:]
    body = json.dumps({
        "id": str(uuid.uuid4()), "create_time": "2024-03-01T09:15:03+08:00",
        "resource_type": "encrypt-resource", "event_type": event_type, "summary": "支付成功",
        "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                     "ciphertext": base64.b64encode(sealed).decode(),
                     "associated_data": "transaction", "nonce": nonce}}).encode()
    stamp, sig_nonce = str(timestamp or int(time.time())), uuid.uuid4().hex
    key = serialization.load_pem_private_key(signing_pem.encode(), password=None)
    signature = key.sign(f"{stamp}\n{sig_nonce}\n".encode() + body + b"\n", padding.PKCS1v15(),
                         hashes.SHA256())
    if tamper_after_signing:
        body = body.replace(b'"summary": "', b'"summary": "!')
    return ({"Wechatpay-Signature": base64.b64encode(signature).decode(),
             "Wechatpay-Timestamp": stamp, "Wechatpay-Nonce": sig_nonce,
             "Wechatpay-Serial": serial, "Content-Type": "application/json"}, body)


def test_a_well_formed_notification_is_accepted(gateway, platform_keys):
    headers, body = notification(resource_for("FD0000000001"),
                                 signing_pem=platform_keys.private_pem)
    lowercase = {name.lower(): value for name, value in headers.items()}
    note = gateway.parse_notification(lowercase, body)
    assert (note.payment.state, note.payment.amount_fen) == (TradeState.PAID, 2500)


@pytest.mark.parametrize("case", [
    "forged", "tampered", "wrong_serial", "corrupt_ciphertext",
    "wrong_apiv3_key", "other_merchant", "other_appid", "not_success", "unknown_event",
    "missing_signature"])
def test_a_notification_that_does_not_verify_is_refused(gateway, platform_keys, stranger_keys,
                                                         case):
    resource, options = resource_for("FD0000000002"), {"signing_pem": platform_keys.private_pem}
    match case:
        case "forged":
            options["signing_pem"] = stranger_keys.private_pem
        case "tampered":
            options["tamper_after_signing"] = True
        case "wrong_serial":
            options["serial"] = "PUB_KEY_ID_0119000001092099999999999999999999"
        case "corrupt_ciphertext":
            options["corrupt_ciphertext"] = True
        case "wrong_apiv3_key":
            options["apiv3_key"] = "0" * 32
        case "other_merchant":
            resource["mchid"] = "1900000999"
        case "other_appid":
            resource["appid"] = "wx0000000000000000"
        case "not_success":
            resource["trade_state"] = "NOTPAY"
        case "unknown_event":
            options["event_type"] = "TRANSACTION.FAILED"
    headers, body = notification(resource, **options)
    if case == "missing_signature":
        del headers["Wechatpay-Signature"]
    with pytest.raises(InvalidNotification):
        gateway.parse_notification(headers, body)


FROZEN_NOW = 1_764_900_000  # the gateway's clock, stopped: a slow machine cannot move the edge


@pytest.mark.parametrize(("offset", "accepted"), [
    (-300, True), (-301, False), (300, True), (301, False), (-86_400, False), (86_400, False)])
def test_the_replay_window_is_five_minutes_either_way(merchant_keys, platform_keys, sim,
                                                       offset, accepted):
    frozen = make_gateway(merchant_keys, platform_keys, sim.url, None,
                          clock=lambda: float(FROZEN_NOW))
    headers, body = notification(resource_for("FD0000000003"),
                                 signing_pem=platform_keys.private_pem,
                                 timestamp=FROZEN_NOW + offset)
    if accepted:
        assert frozen.parse_notification(headers, body).payment.out_trade_no == "FD0000000003"
    else:
        with pytest.raises(InvalidNotification):
            frozen.parse_notification(headers, body)


def test_a_real_delivery_altered_in_transit_is_refused(gateway, http, sim, receiver):
    request_ = order()
    gateway.create_order(request_)
    sim_post(http, sim, "pay", out_trade_no=request_.out_trade_no)
    headers, body = receiver.raw[-1]
    assert gateway.parse_notification(headers, body).payment.out_trade_no == request_.out_trade_no
    for altered in (body.replace(b'"event_type":"', b'"event_type":" '), body[:-1], b"not json"):
        with pytest.raises(InvalidNotification):
            gateway.parse_notification(headers, altered)


def test_acknowledgements_are_what_wechat_pay_expects(gateway):
    ok, failed = gateway.acknowledge(True), gateway.acknowledge(False)
    assert (ok.status, ok.body) == (204, "")
    assert failed.status == 500 and failed.content_type == "application/json"
    assert json.loads(failed.body) == {"code": "FAIL", "message": "失败"}


# -- close -----------------------------------------------------------------------------------------

def test_close_an_unpaid_order(gateway, http, sim):
    request_ = order()
    gateway.create_order(request_)
    gateway.close(request_.out_trade_no)
    gateway.close(request_.out_trade_no)  # closing a closed order is fine
    gateway.close(new_no())  # so is one WeChat never saw
    assert gateway.query(request_.out_trade_no).state == TradeState.CLOSED
    refused = http.post(f"{sim.url}/_sim/pay", json={"out_trade_no": request_.out_trade_no},
                        timeout=5)
    assert refused.status_code == 409


def test_a_paid_order_cannot_be_closed(gateway, http, sim):
    out_trade_no = paid_order(gateway, http, sim)
    with pytest.raises(PaymentError) as refused:
        gateway.close(out_trade_no)
    assert refused.value.code == "ORDERPAID" and not refused.value.transient


# -- refunds ---------------------------------------------------------------------------------------

def refund_of(out_trade_no: str, refund_fen: int, total_fen: int = 2500,
              out_refund_no: str | None = None) -> RefundRequest:
    return RefundRequest(out_trade_no=out_trade_no, out_refund_no=out_refund_no or new_no("RF"),
                         refund_fen=refund_fen, total_fen=total_fen, reason="医生停诊",
                         notify_url="")


def test_refund_is_processing_then_notified_when_complete(gateway, http, sim, receiver):
    out_trade_no = paid_order(gateway, http, sim)
    request_ = refund_of(out_trade_no, 2500)

    started = gateway.refund(request_)
    assert (started.state, started.refund_fen) == (RefundState.PROCESSING, 2500)
    assert gateway.refund(request_).refund_id == started.refund_id  # repeating is safe
    assert gateway.query_refund(out_trade_no, request_.out_refund_no).state == \
        RefundState.PROCESSING
    before = len(receiver.accepted)

    done = sim_post(http, sim, "refunds/complete", out_refund_no=request_.out_refund_no)

    assert done["notification"]["status"] == 204
    note = receiver.accepted[before]
    assert note.payment is None
    assert (note.refund.state, note.refund.refund_fen, note.refund.refund_id) == (
        RefundState.SUCCESS, 2500, started.refund_id)
    assert note.refund.out_trade_no == out_trade_no and note.refund.refunded_at is not None
    queried = gateway.query_refund(out_trade_no, request_.out_refund_no)
    assert queried.state == RefundState.SUCCESS and queried.refunded_at is not None
    assert gateway.query(out_trade_no).state == TradeState.REFUNDED


def test_refunds_cannot_exceed_what_was_paid(gateway, http, sim):
    out_trade_no = paid_order(gateway, http, sim, amount_fen=2500)
    with pytest.raises(PaymentError) as refused:
        gateway.refund(refund_of(out_trade_no, 2600, total_fen=2600))
    assert refused.value.code == "PARAM_ERROR"  # the total must be the order's
    gateway.refund(refund_of(out_trade_no, 1500))
    with pytest.raises(PaymentError) as refused:
        gateway.refund(refund_of(out_trade_no, 1001))
    assert refused.value.code == "INVALID_REQUEST" and not refused.value.transient
    assert gateway.refund(refund_of(out_trade_no, 1000)).refund_fen == 1000


def test_an_unpaid_order_and_an_unknown_refund_are_refused(gateway):
    request_ = order()
    gateway.create_order(request_)
    with pytest.raises(PaymentError) as refused:
        gateway.refund(refund_of(request_.out_trade_no, 100))
    assert refused.value.code == "INVALID_REQUEST"
    with pytest.raises(PaymentError) as unknown:
        gateway.query_refund(request_.out_trade_no, new_no("RF"))
    assert unknown.value.code == "RESOURCE_NOT_EXISTS"


def test_an_abnormal_refund_is_notified_as_failed(gateway, http, sim, receiver):
    out_trade_no = paid_order(gateway, http, sim)
    request_ = refund_of(out_trade_no, 2500)
    gateway.refund(request_)
    before = len(receiver.accepted)
    sim_post(http, sim, "refunds/complete", out_refund_no=request_.out_refund_no,
             status="ABNORMAL")
    assert receiver.accepted[before].refund.state == RefundState.FAILED
    assert gateway.query_refund(out_trade_no, request_.out_refund_no).state == RefundState.FAILED


def test_immediate_refunds_succeed_at_once_and_notify(merchant_keys, platform_keys, http):
    receiver = Receiver()
    with serve_simulator(merchant_keys, platform_keys, refund_mode="immediate") as sim, \
            SimulatorServer(receiver.app) as notify_server:
        gateway = make_gateway(merchant_keys, platform_keys, sim.url, notify_server.url + "/notify")
        receiver.gateway = gateway
        out_trade_no = paid_order(gateway, http, sim, amount_fen=800)
        result = gateway.refund(refund_of(out_trade_no, 800, total_fen=800))
        assert result.state == RefundState.SUCCESS and result.refunded_at is not None
        [note] = receiver.wait_for(1)
        assert (note.refund.out_refund_no, note.refund.state) == (
            result.out_refund_no, RefundState.SUCCESS)


# -- bill ------------------------------------------------------------------------------------------

def test_the_days_bill_has_payment_and_refund_lines(gateway, http, sim):
    first, second = paid_order(gateway, http, sim, 2500), paid_order(gateway, http, sim, 1200)
    refund = refund_of(first, 1000)
    gateway.refund(refund)
    sim_post(http, sim, "refunds/complete", out_refund_no=refund.out_refund_no)
    day = gateway.query(first).paid_at.astimezone(CST).date()

    lines = gateway.download_bill(day)

    mine = {(line.kind, line.out_trade_no): line for line in lines
            if line.out_trade_no in (first, second)}
    assert {key: line.amount_fen for key, line in mine.items()} == {
        ("payment", first): 2500, ("payment", second): 1200, ("refund", first): 1000}
    assert mine[("refund", first)].out_refund_no == refund.out_refund_no
    assert mine[("payment", second)].transaction_id == gateway.query(second).transaction_id
    assert all(line.occurred_at.date() == day for line in lines)


def test_a_day_without_trades_has_an_empty_bill(gateway):
    assert gateway.download_bill(datetime.now(CST).date() - timedelta(days=400)) == []


BILL = """\ufeff交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,\
交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,\
充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注
`2024-03-01 09:15:02,`wxd678efh567hg6787,`1900000109,`0,`,`4200002145202403011234567890,\
`FD20240301A001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`CMB_DEBIT,`CNY,`25.00,`0.00,`0,\
`0,`0.00,`0.00,`,`,`挂号费,`,`0.15000,`0.60%,`25.00,`0.00,`
`2024-03-01 10:20:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200002145202403011234567890,\
`FD20240301A001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`CMB_DEBIT,`CNY,`0.00,`0.00,\
`50300908092024030112345678901,`RF20240301A001,`10.00,`0.00,`ORIGINAL,`SUCCESS,`挂号费,`,\
`-0.06000,`0.60%,`0.00,`10.00,`
总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额
`2,`25.00,`10.00,`0.00,`0.09000,`25.00,`10.00
"""


def test_parse_a_trade_bill_in_wechats_format():
    payment, refund = parse_trade_bill(BILL)
    assert (payment.kind, payment.out_trade_no, payment.amount_fen) == (
        "payment", "FD20240301A001", 2500)
    assert payment.transaction_id == "4200002145202403011234567890"
    assert payment.occurred_at == datetime(2024, 3, 1, 9, 15, 2, tzinfo=CST)
    assert (refund.kind, refund.out_refund_no, refund.amount_fen) == (
        "refund", "RF20240301A001", 1000)


def test_a_bill_whose_summary_disagrees_is_refused():
    with pytest.raises(PaymentError) as refused:
        parse_trade_bill(BILL.replace("`2,`25.00", "`3,`25.00"))
    assert refused.value.code == "bill_malformed"


# -- failures --------------------------------------------------------------------------------------

def test_an_unreachable_gateway_is_a_transient_error(merchant_keys, platform_keys):
    server = SimulatorServer(Flask(__name__)).start()
    server.stop()
    gateway = make_gateway(merchant_keys, platform_keys, server.url, "https://example.invalid/n")
    with pytest.raises(PaymentError) as failed:
        gateway.query(new_no())
    assert failed.value.transient and failed.value.code == "unreachable"


def test_a_server_error_is_transient_with_wechats_code(merchant_keys, platform_keys):
    broken = Flask(__name__)

    @broken.route("/<path:anything>", methods=["GET", "POST"])
    def fail(anything: str) -> Response:
        return Response('{"code":"SYSTEM_ERROR","message":"系统错误"}', status=500,
                        mimetype="application/json")

    with SimulatorServer(broken) as server:
        gateway = make_gateway(merchant_keys, platform_keys, server.url, "https://x.invalid/n")
        with pytest.raises(PaymentError) as failed:
            gateway.create_order(order())
    assert failed.value.transient and failed.value.code == "SYSTEM_ERROR"


def test_a_request_signed_with_another_key_is_refused_by_wechat(
        sim, http, receiver, merchant_keys, platform_keys, stranger_keys):
    impostor = make_gateway(stranger_keys, platform_keys, sim.url, receiver.url)
    request_ = order()
    with pytest.raises(PaymentError) as refused:
        impostor.create_order(request_)
    assert refused.value.code == "SIGN_ERROR" and not refused.value.transient
    assert http.get(f"{sim.url}/_sim/orders/{request_.out_trade_no}", timeout=5).status_code == 404


def test_an_answer_not_signed_by_the_platform_key_is_refused(sim, receiver, merchant_keys,
                                                              stranger_keys):
    trusting_a_stranger = make_gateway(merchant_keys, stranger_keys, sim.url, receiver.url)
    with pytest.raises(PaymentError) as refused:
        trusting_a_stranger.create_order(order())  # a 200 answer: the SDK verifies those
    assert refused.value.code == "response_signature_invalid"


def test_the_apiv3_key_must_be_an_aes_256_key(merchant_keys, platform_keys):
    with pytest.raises(ValueError):
        make_gateway(merchant_keys, platform_keys, "http://127.0.0.1:9", None, apiv3_key="short")
