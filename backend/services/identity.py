"""Patient login through WeChat or Alipay, and logout.

The vendor proves who the user is (openid / user_id); we find or create the account and issue our
own session token. Vendor codes are single-use, so a failed login never retries the same code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from backend.auth import open_session, revoke_current_session
from backend.errors import ApiError, ServiceUnavailable, Unauthenticated
from backend.extensions import db
from backend.models import Account, PrincipalKind
from backend.services import audit
from backend.timeutil import utcnow
from backend.vendor_clients import vendor_clients
from backend.vendors.errors import VendorAuthError, VendorError, VendorUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    account_id: str
    is_new_account: bool


def _vendor_call(channel: str, call):
    try:
        return call()
    except VendorAuthError as exc:
        log.info("login code rejected", extra={"channel": channel, "vendor_code": exc.code})
        raise Unauthenticated("登录凭证已失效，请重新登录。", code="login_code_invalid") from exc
    except VendorUnavailable as exc:
        log.warning("login vendor unavailable", extra={"channel": channel})
        raise ServiceUnavailable("登录服务暂时不可用，请稍后再试。") from exc
    except VendorError as exc:
        log.error("login vendor error", extra={"channel": channel, "vendor_code": exc.code})
        raise ApiError("登录失败，请稍后再试。", code="login_failed", status=502) from exc


def _find_or_create(column, value: str, **extra) -> tuple[Account, bool]:
    account = db.session.execute(db.select(Account).where(column == value)).scalar_one_or_none()
    if account is not None:
        for key, val in extra.items():
            if val and getattr(account, key) != val:
                setattr(account, key, val)
        return account, False
    account = Account(**{column.key: value}, **extra)
    db.session.add(account)
    try:
        db.session.flush()
    except IntegrityError:
        # Two first logins raced; the other one created the account.
        db.session.rollback()
        account = db.session.execute(db.select(Account).where(column == value)).scalar_one()
        return account, False
    return account, True


def _finish_login(account: Account, is_new: bool, channel: str) -> LoginResult:
    account.last_login_at = utcnow()
    session, token = open_session(kind=PrincipalKind.ACCOUNT, channel=channel,
                                  account_id=account.id)
    audit.record("account.login", "account", str(account.external_id),
                 {"channel": channel, "new_account": is_new}, actor_kind="account",
                 actor_id=str(account.external_id))
    db.session.commit()
    log.info("patient logged in", extra={"channel": channel, "new_account": is_new})
    return LoginResult(token, session.expires_at, str(account.external_id), is_new)


def login_with_wechat(code: str) -> LoginResult:
    identity = _vendor_call("wechat", lambda: vendor_clients().wechat.code_to_session(code))
    account, is_new = _find_or_create(Account.wechat_openid, identity.openid,
                                      wechat_unionid=identity.unionid)
    return _finish_login(account, is_new, "wechat")


def login_with_alipay(auth_code: str) -> LoginResult:
    identity = _vendor_call("alipay", lambda: vendor_clients().alipay.oauth_token(auth_code))
    user_id = identity.user_id or identity.open_id
    account, is_new = _find_or_create(Account.alipay_user_id, user_id)
    return _finish_login(account, is_new, "alipay")


def logout() -> None:
    revoke_current_session()
    audit.record("session.logout", "session", None)
    db.session.commit()


def record_consent(account_id: int, policy_version: str) -> Account:
    account = db.session.get(Account, account_id)
    account.privacy_policy_version = policy_version
    account.privacy_consented_at = utcnow()
    audit.record("account.privacy_consent", "account", str(account.external_id),
                 {"policy_version": policy_version})
    db.session.commit()
    return account
