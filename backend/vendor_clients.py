"""Builds the vendor SDK clients from configuration, once per app, and hands them to services."""

from __future__ import annotations

from flask import Flask, current_app
from wechatpy.session.memorystorage import MemoryStorage

from backend.vendors.alipay import AlipayOpenApi
from backend.vendors.aliyun_sms import AliyunSms
from backend.vendors.token_storage import RedisWithLocalFallback
from backend.vendors.wechat import WeChatMiniProgram
from backend.vendors.wecom import WeComApp
from payments.alipay import AlipayGateway
from payments.gateway import GatewayRegistry
from payments.wechatpay import WeChatPayGateway


class VendorClients:
    """Lazily built, cached clients: constructing one never touches the network."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._wechat: WeChatMiniProgram | None = None
        self._alipay: AlipayOpenApi | None = None
        self._payments: GatewayRegistry | None = None
        self._wecom: WeComApp | None = None
        self._sms: AliyunSms | None = None

    @property
    def wechat(self) -> WeChatMiniProgram:
        if self._wechat is None:
            config = self._app.config
            redis = self._app.extensions.get("redis")
            session = (RedisWithLocalFallback(redis, prefix="frontdoor:wechat") if redis
                       else MemoryStorage())
            self._wechat = WeChatMiniProgram(
                config["WECHAT_APP_ID"], config["WECHAT_APP_SECRET"],
                api_base_url=config["WECHAT_API_BASE_URL"], session=session,
            )
        return self._wechat

    @property
    def wecom(self) -> WeComApp | None:
        """The WeCom application that messages staff; None when the hospital has not set one."""
        config = self._app.config
        if not (config["WECOM_CORP_ID"] and config["WECOM_SECRET"]):
            return None
        if self._wecom is None:
            redis = self._app.extensions.get("redis")
            session = (RedisWithLocalFallback(redis, prefix="frontdoor:wecom") if redis
                       else MemoryStorage())
            self._wecom = WeComApp(config["WECOM_CORP_ID"], config["WECOM_AGENT_ID"],
                                   config["WECOM_SECRET"],
                                   api_base_url=config["WECOM_API_BASE_URL"], session=session)
        return self._wecom

    @property
    def sms(self) -> AliyunSms | None:
        """Alibaba Cloud SMS for residents' reminders; None when the hospital has not set it."""
        config = self._app.config
        if not (config["ALIYUN_SMS_ACCESS_KEY_ID"] and config["ALIYUN_SMS_ACCESS_KEY_SECRET"]):
            return None
        if self._sms is None:
            self._sms = AliyunSms(config["ALIYUN_SMS_ACCESS_KEY_ID"],
                                  config["ALIYUN_SMS_ACCESS_KEY_SECRET"],
                                  config["ALIYUN_SMS_SIGN_NAME"],
                                  endpoint=config["ALIYUN_SMS_ENDPOINT"])
        return self._sms

    @property
    def alipay(self) -> AlipayOpenApi:
        if self._alipay is None:
            config = self._app.config
            self._alipay = AlipayOpenApi(
                config["ALIPAY_APP_ID"], config["ALIPAY_APP_PRIVATE_KEY"],
                config["ALIPAY_PUBLIC_KEY"], gateway_url=config["ALIPAY_GATEWAY_URL"],
            )
        return self._alipay

    @property
    def payments(self) -> GatewayRegistry:
        """The configured payment gateways (a channel without merchant keys is simply absent)."""
        if self._payments is None:
            self._payments = build_gateways(self._app.config)
        return self._payments


def build_gateways(config) -> GatewayRegistry:
    registry = GatewayRegistry()
    if config["WECHATPAY_MCH_ID"]:
        registry.register(WeChatPayGateway(
            mchid=config["WECHATPAY_MCH_ID"], appid=config["WECHAT_APP_ID"],
            merchant_private_key_pem=config["WECHATPAY_PRIVATE_KEY"],
            merchant_serial_no=config["WECHATPAY_CERT_SERIAL_NO"],
            apiv3_key=config["WECHATPAY_API_V3_KEY"],
            platform_public_key_pem=config["WECHATPAY_PUBLIC_KEY"],
            platform_public_key_id=config["WECHATPAY_PUBLIC_KEY_ID"],
            base_url=config["WECHATPAY_API_BASE_URL"]))
    if config["ALIPAY_PAYMENTS_ENABLED"] and config["ALIPAY_APP_PRIVATE_KEY"]:
        registry.register(AlipayGateway(
            config["ALIPAY_APP_ID"], config["ALIPAY_APP_PRIVATE_KEY"],
            config["ALIPAY_PUBLIC_KEY"], gateway_url=config["ALIPAY_GATEWAY_URL"]))
    return registry


def vendor_clients() -> VendorClients:
    return current_app.extensions["vendor_clients"]
