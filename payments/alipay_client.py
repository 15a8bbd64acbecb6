"""python-alipay-sdk's client made fit for our gateways, and Alipay's wire formats.

Shared by the Alipay login (`backend.vendors.alipay`) and the Alipay payment gateway
(`payments.alipay`); nothing here touches the network at construction.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from alipay import AliPay
from alipay.exceptions import AliPayException
from alipay.utils import AliPayConfig
from cryptography.hazmat.primitives import serialization

DEFAULT_GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
# Alipay reads `timestamp` as Beijing time (its Java SDK formats it in GMT+8); python-alipay-sdk
# uses the machine's local time, which is UTC on our servers.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # Alipay's "yyyy-MM-dd HH:mm:ss", Beijing time

# Up to 12 integer digits (Alipay's ceiling is 100,000,000 yuan) and at most two decimals.
_YUAN = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?")


class AlipayApiError(AliPayException):
    """An error answer from the gateway, with its fields parsed (the SDK's AliPayException keeps
    only the raw response text, behind name-mangled attributes)."""

    def __init__(self, code: str | None, msg: str | None, sub_code: str | None,
                 sub_msg: str | None, raw: str) -> None:
        super().__init__(code, raw)
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg

    @classmethod
    def from_result(cls, result: dict[str, Any], raw: str) -> AlipayApiError:
        def text(key: str) -> str | None:
            value = result.get(key)
            return None if value is None else str(value)

        return cls(text("code"), text("msg"), text("sub_code"), text("sub_msg"), raw)


class AlipayMalformedResponse(AliPayException):
    """The gateway's answer is not the JSON object Alipay sends (a proxy's error page...)."""


class GatewayAliPay(AliPay):
    """python-alipay-sdk's client with a configurable gateway URL (the SDK picks one of two
    hard-coded URLs in `__init__`), timestamps in Beijing time, and parsed error answers."""

    def __init__(
        self,
        appid: str,
        app_private_key_string: str,
        alipay_public_key_string: str,
        *,
        gateway_url: str = DEFAULT_GATEWAY_URL,
        timeout: float = 5,
        app_notify_url: str | None = None,
        sign_type: str = "RSA2",
    ) -> None:
        super().__init__(
            appid,
            app_notify_url=app_notify_url,
            app_private_key_string=app_private_key_string,
            alipay_public_key_string=alipay_public_key_string,
            sign_type=sign_type,
            config=AliPayConfig(timeout=timeout),
        )
        self._gateway = gateway_url

    @property
    def gateway_url(self) -> str:
        return self._gateway

    def build_body(self, method, biz_content=None, **kwargs):
        data = super().build_body(method, biz_content, **kwargs)
        if "timestamp" not in kwargs:
            data["timestamp"] = datetime.now(BEIJING).strftime(TIME_FORMAT)
        return data

    def _verify(self, raw_content, signature):
        try:
            return super()._verify(raw_content, signature)
        except (binascii.Error, ValueError):  # a sign that is not even base64
            return False

    def _verify_and_return_sync_response(self, raw_string, response_type):
        try:
            response = json.loads(raw_string)
        except ValueError:
            raise AlipayMalformedResponse(None, "response is not JSON") from None
        if not isinstance(response, dict):
            raise AlipayMalformedResponse(None, "response is not a JSON object")
        error = response.get("error_response")
        if error is not None or "sign" not in response:
            result = error if error is not None else response.get(response_type)
            if not isinstance(result, dict):
                raise AlipayMalformedResponse(None, f"response without {response_type}")
            raise AlipayApiError.from_result(result, raw_string)
        return super()._verify_and_return_sync_response(raw_string, response_type)


def to_pem(key: str, *, private: bool) -> str:
    """Accept keys as PEM or as the bare base64 Alipay's console and key tool hand out."""
    key = key.strip()
    if key.startswith("-----BEGIN"):
        return key
    try:
        der = base64.b64decode("".join(key.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key is neither PEM nor base64 DER") from None
    if private:
        return serialization.load_der_private_key(der, password=None).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode("ascii")
    return serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def yuan_to_fen(text: str) -> int:
    """Alipay's amount text ("20.00", "0.5", "3") as integer fen, exactly; anything else (signs,
    exponents, a third decimal, blanks) raises ValueError rather than being rounded. The way back
    is `payments.orders.fen_to_yuan`."""
    if not isinstance(text, str) or not _YUAN.fullmatch(text):
        raise ValueError(f"not an Alipay amount in yuan: {text!r}")
    return int(Decimal(text) * 100)


def parse_beijing_time(text: str) -> datetime:
    """Alipay's "yyyy-MM-dd HH:mm:ss" (refund times add ".SSS") as an aware datetime."""
    for pattern in (TIME_FORMAT, TIME_FORMAT + ".%f"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=BEIJING)
        except (TypeError, ValueError):
            continue
    raise ValueError(f"not an Alipay time: {text!r}")
