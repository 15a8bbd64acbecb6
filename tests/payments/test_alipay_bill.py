"""Alipay's daily trade bill: the download through the SDK and the simulator's zip of GBK CSV
files, and the parser on its own."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import requests

from payments.alipay import AlipayGateway
from payments.alipay_bill import parse_trade_bill
from payments.alipay_client import BEIJING
from payments.gateway import OrderRequest, PaymentError, RefundRequest
from simulators.alipay import create_alipay_simulator
from simulators.keys import cached_rsa_keypair
from simulators.server import SimulatorServer

APP_ID = "2021000000000007"


@pytest.fixture(scope="module")
def keys():
    return cached_rsa_keypair("alipay-app"), cached_rsa_keypair("alipay-platform")


def order(amount_fen: int) -> OrderRequest:
    return OrderRequest("T" + uuid.uuid4().hex[:20], amount_fen, "社区卫生服务中心 诊查费",
                        "2088123412341234", "", datetime.now(UTC) + timedelta(minutes=15))


def pay(server, out_trade_no: str) -> requests.Response:
    return requests.post(f"{server.url}/_sim/trades/pay", json={"out_trade_no": out_trade_no},
                         timeout=10)


def sim_trade(server, out_trade_no: str) -> dict:
    return requests.get(f"{server.url}/_sim/trades/{out_trade_no}", timeout=5).json()


class ShiftedClock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def test_the_daily_bill_is_downloaded_and_parsed(keys):
    app_keys, alipay_keys = keys
    clock = ShiftedClock()
    app = create_alipay_simulator({APP_ID: app_keys.public_pem}, alipay_keys.private_pem,
                                  clock=clock)
    with SimulatorServer(app) as server:
        gateway = AlipayGateway(APP_ID, app_keys.private_pem, alipay_keys.public_pem,
                                gateway_url=server.url + "/gateway.do")
        clock.offset = -86400  # yesterday, as the simulator sees it
        first, second = order(amount_fen=1234), order(amount_fen=1)
        for placed in (first, second):
            gateway.create_order(placed)
            assert pay(server, placed.out_trade_no).status_code == 200
        gateway.refund(RefundRequest(first.out_trade_no, "RF1", 234, 1234, "退号", ""))
        yesterday = datetime.fromtimestamp(clock(), BEIJING).date()
        clock.offset = 0

        lines = gateway.download_bill(yesterday)
        trade_no = sim_trade(server, first.out_trade_no)["trade_no"]
        assert sorted((line.kind, line.out_trade_no, line.amount_fen, line.out_refund_no)
                      for line in lines) == sorted([
            ("payment", first.out_trade_no, 1234, None),
            ("payment", second.out_trade_no, 1, None),
            ("refund", first.out_trade_no, 234, "RF1"),
        ])
        payment = next(line for line in lines if line.out_trade_no == first.out_trade_no)
        assert payment.transaction_id == trade_no and payment.occurred_at.date() == yesterday
        assert gateway.download_bill(yesterday - timedelta(days=1)) == []
        with pytest.raises(PaymentError) as caught:
            gateway.download_bill(yesterday + timedelta(days=1))  # today: not made yet
        assert (caught.value.code, caught.value.transient) == ("isp.bill_not_exist", False)


def test_the_bill_zip_is_gbk_like_alipays(keys):
    app_keys, alipay_keys = keys
    app = create_alipay_simulator({APP_ID: app_keys.public_pem}, alipay_keys.private_pem)
    with SimulatorServer(app) as server:
        gateway = AlipayGateway(APP_ID, app_keys.private_pem, alipay_keys.public_pem,
                                gateway_url=server.url + "/gateway.do")
        # The URL the simulator hands out serves the raw file, as Alipay's does.
        url = gateway.sdk.server_api("alipay.data.dataservice.bill.downloadurl.query",
                                     {"bill_type": "trade", "bill_date": "2020-01-01"})
        data = requests.get(url["bill_download_url"], timeout=5).content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = [info.filename.encode("cp437").decode("gbk") for info in infos]
        assert all(not info.flag_bits & 0x800 for info in infos)
        detail = archive.read(infos[0]).decode("gbk")
    assert names[0].endswith("_20200101_业务明细.csv")
    assert names[1].endswith("_20200101_业务明细(汇总).csv")
    assert detail.startswith("#支付宝业务明细查询") and "支付宝交易号,商户订单号" in detail
    assert parse_trade_bill(data) == []


@pytest.mark.parametrize("data", [b"not a zip", b""])
def test_a_bill_that_is_not_a_zip_is_a_format_error(data):
    with pytest.raises(PaymentError) as caught:
        parse_trade_bill(data)
    assert caught.value.code == "bill_format"


def test_a_bill_with_a_malformed_amount_is_a_format_error():
    header = "支付宝交易号,商户订单号,业务类型,完成时间,订单金额（元）,退款批次号/请求号"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("detail.csv", f"#x\n{header}\n1\t,T1\t,交易,,1.234,\n".encode("gbk"))
    with pytest.raises(PaymentError) as caught:
        parse_trade_bill(buffer.getvalue())
    assert caught.value.code == "bill_format" and "row 2" in str(caught.value)
