"""WeChat mini-program server API (login code exchange, subscribe messages) over wechatpy."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from wechatpy import WeChatClient
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from backend.vendors.errors import VendorAuthError, VendorError, VendorUnavailable

log = logging.getLogger(__name__)

VENDOR = "wechat"
DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/"

# The login code is invalid/expired (40029), already used (40163), or refused for a risky user
# (40226): the user has to log in again.
AUTH_ERRCODES = frozenset({40029, 40163, 40226})
# System busy (-1) and the per-minute quota (45011): worth retrying later.
TRANSIENT_ERRCODES = frozenset({-1, 45011})
# The access token is unknown, malformed, superseded or expired: fetch a new one, retry once.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})

T = TypeVar("T")


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None
    session_key: str = field(repr=False)  # a secret: keep it out of logs and reprs


class _BaseUrlWeChatClient(WeChatClient):
    """wechatpy's client with every api.weixin.qq.com URL rebased on `api_base_url`.

    wechatpy builds URLs from `API_BASE_URL` class attributes (the client's ".../cgi-bin/", and
    one per API group, e.g. wxa's ".../") and hard-codes the token URL in `fetch_access_token`;
    this subclass sets per-instance base URLs and fetches the token from the same base. It also
    passes the timeout to the token request, which wechatpy's `_fetch_access_token` does not.
    """

    def __init__(self, appid: str, secret: str, *, api_base_url: str,
                 session: SessionStorage | None, timeout: float) -> None:
        # auto_retry=False: wechatpy's own retry on a rejected token recurses without bound.
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        base = api_base_url.rstrip("/") + "/"
        self.api_base_url = base
        self.API_BASE_URL = self._rebase(WeChatClient.API_BASE_URL)
        # wechatpy's __new__ made one API object per group as instance attributes (vars, not
        # inspect.getmembers: that would evaluate the access_token property, i.e. fetch a token).
        for api in vars(self).values():
            default = getattr(type(api), "API_BASE_URL", None)
            if isinstance(api, BaseWeChatAPI) and default:
                api.API_BASE_URL = self._rebase(default)

    def _rebase(self, url: str) -> str:
        if url.startswith(DEFAULT_API_BASE_URL):
            return self.api_base_url + url[len(DEFAULT_API_BASE_URL):]
        return url

    def fetch_access_token(self) -> dict[str, Any]:
        return self._fetch_access_token(
            url=self.api_base_url + "cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret},
        )

    def _fetch_access_token(self, url: str, params: dict[str, Any]) -> dict[str, Any]:
        log.info("fetching wechat access token")
        res = self._http.get(url=url, params=params, timeout=self.timeout)
        try:
            res.raise_for_status()
        except requests.RequestException as exc:
            raise WeChatClientException(None, None, client=self, request=exc.request,
                                        response=exc.response) from None
        result = self._decode_result(res)
        if not isinstance(result, dict) or "access_token" not in result:
            errcode = result.get("errcode") if isinstance(result, dict) else None
            errmsg = result.get("errmsg") if isinstance(result, dict) else "malformed answer"
            raise WeChatClientException(errcode, errmsg, client=self, request=res.request,
                                        response=res)
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result


class WeChatMiniProgram:
    """One mini-program's server-side API.

    `session` is a wechatpy session storage (RedisStorage shared by all workers in production,
    MemoryStorage by default) where the access token is cached until it expires. Note that
    wechatpy adds the access token to every call, code2session included, so the first login also
    fetches a token. Constructing the client never touches the network.
    """

    def __init__(
        self,
        appid: str,
        secret: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        session: SessionStorage | None = None,
        timeout: float = 5,
    ) -> None:
        self.appid = appid
        self._client = _BaseUrlWeChatClient(
            appid, secret, api_base_url=api_base_url, session=session, timeout=timeout)

    @property
    def sdk(self) -> WeChatClient:
        """The underlying wechatpy client (base URLs already pointed at `api_base_url`)."""
        return self._client

    def code_to_session(self, code: str) -> WeChatIdentity:
        """Exchange a `wx.login()` code (single-use, 5 minutes) for the user's identity."""
        result = self._call("code2session", lambda: self._client.wxa.code_to_session(code))
        openid, session_key = result.get("openid"), result.get("session_key")
        if not isinstance(openid, str) or not openid or not isinstance(session_key, str):
            log.error("wechat code2session answered without openid/session_key")
            raise VendorError(VENDOR, "code2session 响应缺少 openid", None)
        unionid = result.get("unionid")
        return WeChatIdentity(openid, unionid if isinstance(unionid, str) and unionid else None,
                              session_key)

    def send_subscribe_message(
        self, openid: str, template_id: str, data: dict[str, Any], page: str | None = None
    ) -> None:
        """Send a subscribe message; `data` is {"thing1": {"value": "..."}, ...}.

        Raises VendorError with code "43101" when the user has not accepted the template (or
        has used up a one-time acceptance)."""
        self._call("subscribe_message.send", lambda: self._client.wxa.send_subscribe_message(
            openid, template_id, data, page=page))

    def _call(self, operation: str, call: Callable[[], T]) -> T:
        try:
            try:
                result = call()
            except WeChatClientException as exc:
                if exc.errcode not in TOKEN_ERRCODES:
                    raise
                log.info("wechat access token rejected, fetching a new one",
                         extra={"operation": operation, "vendor_code": exc.errcode})
                self._client.fetch_access_token()
                result = call()
        except WeChatClientException as exc:
            raise self._translate(operation, exc) from None
        except requests.RequestException as exc:
            # The exception text holds the URL, i.e. the secret and the login code: drop it.
            log.warning("wechat unreachable",
                        extra={"operation": operation, "error": type(exc).__name__})
            raise VendorUnavailable(VENDOR, f"网络错误 ({type(exc).__name__})") from None
        if not isinstance(result, dict):  # wechatpy hands back the Response if it isn't JSON
            log.warning("wechat answered non-JSON", extra={"operation": operation})
            raise VendorUnavailable(VENDOR, "响应不是 JSON")
        return result

    def _translate(self, operation: str, exc: WeChatClientException) -> VendorError:
        errcode, errmsg = exc.errcode, str(exc.errmsg or "")
        if errcode is None:  # an HTTP error status, or an answer that is not what WeChat sends
            status = getattr(exc.response, "status_code", None)
            log.warning("wechat HTTP error", extra={"operation": operation, "status": status})
            if status is not None and status < 400:
                return VendorUnavailable(VENDOR, "响应格式错误")
            if status is None or status >= 500 or status == 429:
                return VendorUnavailable(VENDOR, f"HTTP {status}")
            return VendorError(VENDOR, f"HTTP {status}")
        code = str(errcode)
        extra = {"operation": operation, "vendor_code": code, "vendor_message": errmsg}
        if errcode in AUTH_ERRCODES:
            log.info("wechat rejected the login code", extra=extra)
            return VendorAuthError(VENDOR, errmsg, code)
        if errcode in TRANSIENT_ERRCODES:
            log.warning("wechat busy", extra=extra)
            return VendorUnavailable(VENDOR, errmsg, code)
        log.error("wechat error", extra=extra)
        return VendorError(VENDOR, errmsg, code)
