"""Alipay open API (user login by auth code; the SDK client is reused for payments)."""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alipay.exceptions import AliPayException, AliPayValidationError

from backend.vendors.errors import VendorAuthError, VendorError, VendorUnavailable
from payments.alipay_client import (
    DEFAULT_GATEWAY_URL,
    AlipayApiError,
    AlipayMalformedResponse,
    GatewayAliPay,
    to_pem,
)

log = logging.getLogger(__name__)

VENDOR = "alipay"

AUTH_SUB_CODES = frozenset({"isv.code-invalid"})


@dataclass(frozen=True)
class AlipayIdentity:
    user_id: str | None  # "2088..." (16 digits); apps created since 2023 may get only open_id
    open_id: str | None  # app-scoped id


class AlipayOpenApi:
    """One Alipay app's server-side open API. `sdk` is the python-alipay-sdk client (a
    GatewayAliPay) for the calls this class does not wrap; payments go through
    `payments.alipay.AlipayGateway`. Constructing it never touches the network."""

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
            app_id, to_pem(app_private_key_pem, private=True),
            to_pem(alipay_public_key_pem, private=False),
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

    def send_template_message(self, to_user_id: str, template_id: str, form_id: str | None,
                              data: dict[str, dict[str, str]], page: str) -> None:
        """A mini-program message (服务提醒). With `form_id` (the trade number of the payment
        it follows) a template message; without, a subscription message (订阅消息), which
        Alipay delivers only while the user's acceptance of the template lasts."""
        method = "alipay.open.app.mini.templatemessage.send"
        biz = {"to_user_id": to_user_id, "user_template_id": template_id, "page": page,
               "data": json.dumps(data, ensure_ascii=False)}
        if form_id is not None:
            biz["form_id"] = form_id
        self.call(method, lambda: self.sdk.server_api(method, biz_content=biz))

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
