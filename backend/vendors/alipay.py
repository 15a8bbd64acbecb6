"""Alipay open API (user login by auth code; the SDK client is reused for payments)."""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import logging
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from cryptography.hazmat.primitives import serialization

from backend.vendors.errors import VendorAuthError, VendorError, VendorUnavailable

log = logging.getLogger(__name__)

VENDOR = "alipay"
DEFAULT_GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
# Alipay reads `timestamp` as Beijing time (its Java SDK formats it in GMT+8); python-alipay-sdk
# uses the machine's local time, which is UTC on our servers.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

AUTH_SUB_CODES = frozenset({"isv.code-invalid"})


@dataclass(frozen=True)
class AlipayIdentity:
    user_id: str | None  # "2088..." (16 digits); apps created since 2023 may get only open_id
    open_id: str | None  # app-scoped id


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
            data["timestamp"] = datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
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


def _pem(key: str, private: bool) -> str:
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


class AlipayOpenApi:
    """One Alipay app's server-side open API. `sdk` is the python-alipay-sdk client (a
    GatewayAliPay) for the calls this class does not wrap yet, e.g. alipay.trade.create.
    Constructing it never touches the network."""

    def __init__(
        self,
        app_id: str,
        app_private_key_pem: str,
        alipay_public_key_pem: str,
        gateway_url: str = DEFAULT_GATEWAY_URL,
        timeout: float = 5,
    ) -> None:
        self.app_id = app_id
        self.sdk = GatewayAliPay(
            app_id, _pem(app_private_key_pem, private=True),
            _pem(alipay_public_key_pem, private=False),
            gateway_url=gateway_url, timeout=timeout,
        )

    def oauth_token(self, auth_code: str) -> AlipayIdentity:
        """Exchange a `my.getAuthCode` code (single-use) for the user's ids."""
        result = self.call(
            "alipay.system.oauth.token",
            lambda: self.sdk.server_api(
                "alipay.system.oauth.token", grant_type="authorization_code", code=auth_code),
        )
        user_id, open_id = result.get("user_id"), result.get("open_id")
        if not user_id and not open_id:
            log.error("alipay oauth token answered without user_id/open_id")
            raise VendorError(VENDOR, "oauth.token 响应缺少 user_id/open_id")
        return AlipayIdentity(str(user_id) if user_id else None,
                              str(open_id) if open_id else None)

    def call(self, method: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run an SDK call of `method` and translate its failures into vendor errors; also turns
        a signed business failure (a ``code`` other than 10000) into a VendorError."""
        try:
            result = call()
        except AlipayApiError as exc:
            raise self._translate(method, exc.code, exc.sub_code, exc.sub_msg or exc.msg) from None
        except AliPayValidationError:
            log.error("alipay response signature mismatch", extra={"operation": method})
            raise VendorError(VENDOR, "响应验签失败") from None
        except AlipayMalformedResponse:
            log.warning("alipay answered malformed JSON", extra={"operation": method})
            raise VendorUnavailable(VENDOR, "响应格式错误") from None
        except urllib.error.HTTPError as exc:
            log.warning("alipay HTTP error", extra={"operation": method, "status": exc.code})
            if exc.code >= 500 or exc.code == 429:
                raise VendorUnavailable(VENDOR, f"HTTP {exc.code}") from None
            raise VendorError(VENDOR, f"HTTP {exc.code}") from None
        except (OSError, http.client.HTTPException) as exc:
            # URLError, timeouts, refused/reset connections. The text of some of these holds the
            # request URL, i.e. the auth code: log the type only.
            log.warning("alipay unreachable",
                        extra={"operation": method, "error": type(exc).__name__})
            raise VendorUnavailable(VENDOR, f"网络错误 ({type(exc).__name__})") from None
        except AliPayException as exc:
            log.error("alipay SDK error", extra={"operation": method, "error": str(exc)})
            raise VendorError(VENDOR, "支付宝调用失败") from None
        if not isinstance(result, dict):
            raise VendorUnavailable(VENDOR, "响应格式错误")
        code = result.get("code")
        if code is not None and str(code) != "10000":
            raise self._translate(method, str(code), result.get("sub_code"),
                                  result.get("sub_msg") or result.get("msg"))
        return result

    def _translate(self, method: str, code: str | None, sub_code: str | None,
                   message: str | None) -> VendorError:
        vendor_code = sub_code or code
        text = message or "支付宝调用失败"
        extra = {"operation": method, "vendor_code": vendor_code, "vendor_message": text}
        if sub_code in AUTH_SUB_CODES:
            log.info("alipay rejected the auth code", extra=extra)
            return VendorAuthError(VENDOR, text, vendor_code)
        if code == "20000" or (sub_code or "").startswith("isp."):
            log.warning("alipay busy", extra=extra)
            return VendorUnavailable(VENDOR, text, vendor_code)
        log.error("alipay error", extra=extra)
        return VendorError(VENDOR, text, vendor_code)
