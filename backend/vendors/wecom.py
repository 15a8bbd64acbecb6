"""WeCom (企业微信) application messages to hospital staff, over wechatpy's enterprise client.

Hospitals reach their clinicians on WeCom; a critical value (危急值) is sent there as a
confidential text message (safe=1: watermarked, cannot be forwarded). The access token is
cached in the shared session storage like the mini-program's.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from wechatpy.enterprise import WeChatClient as WeComClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from backend.vendors.errors import VendorError, VendorUnavailable
from backend.vendors.wechat import _BaseUrlWeChatClient

log = logging.getLogger(__name__)

VENDOR = "wecom"
DEFAULT_API_BASE_URL = "https://qyapi.weixin.qq.com/"
TRANSIENT_ERRCODES = frozenset({-1, 45009, 45033})  # busy, API quota, concurrency limit
TOKEN_ERRCODES = frozenset({40014, 42001})
NO_VALID_RECIPIENT = "81013"


class _BaseUrlWeComClient(WeComClient):
    """wechatpy's enterprise client with its URLs (token included) rebased on `api_base_url`."""

    _fetch_access_token = _BaseUrlWeChatClient._fetch_access_token

    def __init__(self, corp_id: str, secret: str, *, api_base_url: str,
                 session: SessionStorage | None, timeout: float) -> None:
        # auto_retry=False: a rejected token is refetched once here, never in a loop.
        super().__init__(corp_id, secret, session=session, timeout=timeout, auto_retry=False)
        self.api_base_url = api_base_url.rstrip("/") + "/"
        self.API_BASE_URL = self.api_base_url + "cgi-bin/"

    def fetch_access_token(self) -> dict[str, Any]:
        return self._fetch_access_token(url=self.api_base_url + "cgi-bin/gettoken",
                                        params={"corpid": self.corp_id,
                                                "corpsecret": self.secret})


class WeComApp:
    """One WeCom application (agent) of the hospital group's corp. Never touches the network
    when built."""

    def __init__(self, corp_id: str, agent_id: int, secret: str,
                 api_base_url: str = DEFAULT_API_BASE_URL,
                 session: SessionStorage | None = None, timeout: float = 5) -> None:
        self.agent_id = agent_id
        self._client = _BaseUrlWeComClient(corp_id, secret, api_base_url=api_base_url,
                                           session=session, timeout=timeout)

    def send_text(self, user_ids: list[str], content: str) -> list[str]:
        """Send a confidential text to members; returns those WeCom could not reach.

        Raises VendorError code "81013" when none of them is a reachable member, and
        VendorUnavailable when WeCom is busy or unreachable (worth retrying)."""
        result = self._call(lambda: self._client.message.send_text(
            self.agent_id, user_ids, content, safe=1))
        invalid = str(result.get("invaliduser") or "")
        return [user for user in invalid.split("|") if user]

    def _call(self, call) -> dict[str, Any]:
        try:
            try:
                result = call()
            except WeChatClientException as exc:
                if exc.errcode not in TOKEN_ERRCODES:
                    raise
                log.info("wecom access token rejected, fetching a new one")
                self._client.fetch_access_token()
                result = call()
        except WeChatClientException as exc:
            raise self._translate(exc) from None
        except requests.RequestException as exc:
            # The exception text holds the URL, i.e. the token: drop it.
            log.warning("wecom unreachable", extra={"error": type(exc).__name__})
            raise VendorUnavailable(VENDOR, f"网络错误 ({type(exc).__name__})") from None
        if not isinstance(result, dict):
            raise VendorUnavailable(VENDOR, "响应不是 JSON")
        return result

    @staticmethod
    def _translate(exc: WeChatClientException) -> VendorError:
        errcode, errmsg = exc.errcode, str(exc.errmsg or "")
        if errcode is None:
            status = getattr(exc.response, "status_code", None)
            if status is None or status >= 500 or status == 429:
                return VendorUnavailable(VENDOR, f"HTTP {status}")
            return VendorError(VENDOR, f"HTTP {status}")
        extra = {"vendor_code": str(errcode), "vendor_message": errmsg}
        if errcode in TRANSIENT_ERRCODES:
            log.warning("wecom busy", extra=extra)
            return VendorUnavailable(VENDOR, errmsg, str(errcode))
        log.error("wecom error", extra=extra)
        return VendorError(VENDOR, errmsg, str(errcode))
