"""Login with WeChat or Alipay, logout, the account and its privacy consent."""

from __future__ import annotations

from flask import current_app, g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.extensions import db, limiter
from backend.models import Account
from backend.schemas.account import (
    AccountSchema,
    AlipayLoginSchema,
    ConsentSchema,
    SessionTokenSchema,
    WeChatLoginSchema,
)
from backend.schemas.common import OkSchema, envelope
from backend.services import identity


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@blp.route("/auth/wechat", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(WeChatLoginSchema)
@blp.response(200, envelope(SessionTokenSchema))
def login_wechat(body):
    """Exchange a wx.login() code for a session token."""
    return {"data": identity.login_with_wechat(body["code"])}


@blp.route("/auth/alipay", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(AlipayLoginSchema)
@blp.response(200, envelope(SessionTokenSchema))
def login_alipay(body):
    """Exchange an Alipay authCode for a session token."""
    return {"data": identity.login_with_alipay(body["auth_code"])}


@blp.route("/auth/logout", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(OkSchema))
def logout():
    """Revoke this session token."""
    identity.logout()
    return {"data": {"ok": True}}


def _account_view(account: Account) -> dict:
    channels = [name for name, value in (("wechat", account.wechat_openid),
                                         ("alipay", account.alipay_user_id)) if value]
    return {"external_id": account.external_id, "channels": channels,
            "privacy_policy_version": account.privacy_policy_version,
            "privacy_consented_at": account.privacy_consented_at,
            "profile_count": sum(1 for p in account.profiles if p.archived_at is None)}


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(AccountSchema))
def me():
    """The logged-in account and whether the privacy policy was accepted."""
    return {"data": _account_view(db.session.get(Account, g.principal.account_id))}


@blp.route("/me/consent", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ConsentSchema)
@blp.response(200, envelope(AccountSchema))
def consent(body):
    """Record acceptance of the privacy policy (required before adding health data)."""
    account = identity.record_consent(g.principal.account_id, body["policy_version"])
    return {"data": _account_view(account)}
