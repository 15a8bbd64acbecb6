"""Who is calling: signed, expiring session tokens backed by a revocable server-side row.

The token is `itsdangerous`-signed `{"sid": <session uuid>}`; the row says who it belongs to and
whether it was revoked. Views declare the audience with `@require_account` / `@require_staff`.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.errors import Forbidden, Unauthenticated
from backend.extensions import db
from backend.models import Account, AuthSession, PrincipalKind, StaffUser
from backend.timeutil import utcnow

_SALT = "frontdoor.session.v1"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    session_id: int
    account_id: int | None = None
    staff_id: int | None = None
    role: str | None = None
    organization_id: int | None = None
    actor_external_id: str = ""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def open_session(*, kind: PrincipalKind, channel: str, account_id: int | None = None,
                 staff_id: int | None = None) -> tuple[AuthSession, str]:
    """Add a session row to the current transaction and return it with its token."""
    ttl = timedelta(hours=current_app.config["SESSION_TTL_HOURS"])
    row = AuthSession(kind=kind.value, channel=channel, account_id=account_id,
                      staff_id=staff_id, expires_at=utcnow() + ttl, external_id=uuid.uuid4())
    db.session.add(row)
    return row, _serializer().dumps({"sid": row.external_id.hex})


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _load_session(token: str) -> tuple[AuthSession, Account | None, StaffUser | None]:
    max_age = current_app.config["SESSION_TTL_HOURS"] * 3600
    try:
        payload = _serializer().loads(token, max_age=max_age)
        # Signed by us, but the shape is still checked: an old or odd payload is just invalid.
        raw_id = payload.get("sid") if isinstance(payload, dict) else None
        if not isinstance(raw_id, str):
            raise ValueError("session token without a string sid")
        session_id = uuid.UUID(hex=raw_id)
    except (BadSignature, TypeError, ValueError) as exc:
        raise Unauthenticated() from exc
    row = db.session.execute(
        db.select(AuthSession, Account, StaffUser)
        .outerjoin(Account, Account.id == AuthSession.account_id)
        .outerjoin(StaffUser, StaffUser.id == AuthSession.staff_id)
        .where(AuthSession.external_id == session_id)
    ).one_or_none()  # the session and whose it is, in one round trip
    now = utcnow()
    if row is None or row[0].revoked_at is not None or row[0].expires_at <= now:
        raise Unauthenticated()
    return row


def authenticate() -> Principal:
    token = _bearer_token()
    if token is None:
        raise Unauthenticated("请先登录。")
    return principal_for_token(token)


def principal_for_token(token: str) -> Principal:
    """Who a session token belongs to (the API reads it from the Authorization header, the
    console from its session cookie); raises Unauthenticated when expired or revoked."""
    row, account, staff = _load_session(token)
    if row.kind == PrincipalKind.STAFF:
        if staff is None or not staff.is_active:
            raise Unauthenticated()
        return Principal(kind=PrincipalKind.STAFF, session_id=row.id, staff_id=staff.id,
                         role=staff.role, organization_id=staff.organization_id,
                         actor_external_id=str(staff.external_id))
    if account is None:
        raise Unauthenticated()
    return Principal(kind=PrincipalKind.ACCOUNT, session_id=row.id, account_id=account.id,
                     actor_external_id=str(account.external_id))


def current_principal() -> Principal | None:
    return g.get("principal")


def revoke_current_session(when: datetime | None = None) -> None:
    principal = g.principal
    row = db.session.get(AuthSession, principal.session_id)
    row.revoked_at = when or utcnow()


def _require(check: Callable[[Principal], None]):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = authenticate()
            check(principal)
            g.principal = principal
            return view(*args, **kwargs)
        return wrapper
    return decorator


def _account_only(principal: Principal) -> None:
    if principal.kind != PrincipalKind.ACCOUNT:
        raise Forbidden()


def require_account(view):
    """Patients (mini-program accounts) only."""
    return _require(_account_only)(view)


def require_staff(*roles: str):
    """Console staff only; with roles, only those roles."""

    def check(principal: Principal) -> None:
        if principal.kind != PrincipalKind.STAFF:
            raise Forbidden()
        if roles and principal.role not in roles:
            raise Forbidden()

    return _require(check)
