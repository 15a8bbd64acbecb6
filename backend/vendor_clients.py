"""Builds the vendor SDK clients from configuration, once per app, and hands them to services."""

from __future__ import annotations

from flask import Flask, current_app
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from backend.vendors.alipay import AlipayOpenApi
from backend.vendors.wechat import WeChatMiniProgram


class VendorClients:
    """Lazily built, cached clients: constructing one never touches the network."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._wechat: WeChatMiniProgram | None = None
        self._alipay: AlipayOpenApi | None = None

    @property
    def wechat(self) -> WeChatMiniProgram:
        if self._wechat is None:
            config = self._app.config
            redis = self._app.extensions.get("redis")
            session = RedisStorage(redis, prefix="frontdoor:wechat") if redis else MemoryStorage()
            self._wechat = WeChatMiniProgram(
                config["WECHAT_APP_ID"], config["WECHAT_APP_SECRET"],
                api_base_url=config["WECHAT_API_BASE_URL"], session=session,
            )
        return self._wechat

    @property
    def alipay(self) -> AlipayOpenApi:
        if self._alipay is None:
            config = self._app.config
            self._alipay = AlipayOpenApi(
                config["ALIPAY_APP_ID"], config["ALIPAY_APP_PRIVATE_KEY"],
                config["ALIPAY_PUBLIC_KEY"], gateway_url=config["ALIPAY_GATEWAY_URL"],
            )
        return self._alipay


def vendor_clients() -> VendorClients:
    return current_app.extensions["vendor_clients"]
