"""The wechatpayv3 SDK as the WeChat Pay gateway drives it: public-key mode, a configurable base
URL, and a typed failure for answers whose platform signature does not verify.

Kept apart from payments/wechatpay.py because everything here leans on the SDK's internals
(`Core._gate_way`, `_update_certificates`, `_verify_signature` in wechatpayv3 2.0.x); if an SDK
upgrade moves them, this is the one file to revisit.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.core import Core


class UnverifiedAnswer(Exception):
    """An answer or callback whose platform signature does not verify (the SDK's bare Exception,
    given a type so it can be told from other failures)."""


class _PublicKeyCore(Core):
    """The SDK's transport, aimed at `base_url` and trusting only the platform public key.

    wechatpayv3 hard-codes https://api.mch.weixin.qq.com as `Core._gate_way` with no parameter,
    and both `request()` and `download_bill()` read that attribute; setting it once, right after
    the SDK's own constructor, points every call at the simulator (or a proxy) without patching
    the SDK. `_update_certificates` would fetch /v3/certificates whenever an answer names an
    unknown serial; we never want that (no certificates in public-key mode, and a forged
    callback must not make us call out), so such an answer simply fails verification, which
    raises `UnverifiedAnswer` instead of the SDK's untyped Exception.
    """

    def __init__(self, *, base_url: str, **options: Any) -> None:
        super().__init__(**options)
        self._gate_way = base_url

    def _update_certificates(self) -> None:
        self._certificates.clear()

    def _verify_signature(self, headers: Any, body: Any) -> bool:
        try:
            verified = super()._verify_signature(headers, body)
        except Exception as exc:  # e.g. a missing Wechatpay-Signature-Type header
            raise UnverifiedAnswer(str(exc)) from exc
        if not verified:
            raise UnverifiedAnswer("the platform signature does not verify")
        return True


class SdkClient(WeChatPay):
    """`WeChatPay` for a mini-program whose transport is `_PublicKeyCore` (see there why)."""

    def __init__(self, *, base_url: str, appid: str, notify_url: str | None,
                 **core_options: Any) -> None:
        super().__init__(wechatpay_type=WeChatPayType.MINIPROG, appid=appid,
                         notify_url=notify_url, **core_options)
        self._core = _PublicKeyCore(base_url=base_url, **core_options)


def pkcs8_pem(pem: str) -> str:
    """The SDK only reads "BEGIN PRIVATE KEY" (PKCS#8, as apiclient_key.pem); accept PKCS#1 too."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the merchant private key must be an RSA key")
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def spki_pem(pem: str) -> str:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the WeChat Pay platform public key must be an RSA key")
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
