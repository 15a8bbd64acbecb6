"""Who is calling: signed, expiring session tokens backed by a revocable server-side row.

The token is `itsdangerous`-signed `{"sid": <session uuid>}`; the row says who it belongs to and
whether it was revoked. Views declare the audience with `@require_account` / `@require_staff`.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select

from backend.driver_statement import DriverStatement
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
    """The app's token serializer, built once per signing key (every authenticated request
    uses it)."""
    key = current_app.config["SECRET_KEY"]
    built = current_app.extensions.get("session_serializer")
    if built is None or built[0] != key:
        built = (key, URLSafeTimedSerializer(key, salt=_SALT))
        current_app.extensions["session_serializer"] = built
    return built[1]


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


# Only what a Principal needs, in one round trip; built once (a Core statement with a bound
# parameter), since every authenticated request runs it.
_SESSION_ROW = DriverStatement(
    select(AuthSession.id, AuthSession.kind, AuthSession.revoked_at, AuthSession.expires_at,
           Account.id.label("account_id"), Account.external_id.label("account_external_id"),
           StaffUser.id.label("staff_id"), StaffUser.external_id.label("staff_external_id"),
           StaffUser.role, StaffUser.organization_id, StaffUser.is_active)
    .outerjoin(Account, Account.id == AuthSession.account_id)
    .outerjoin(StaffUser, StaffUser.id == AuthSession.staff_id)
    .where(AuthSession.external_id == bindparam("session_id")))


@functools.lru_cache(maxsize=4096)
def _verified(serializer: URLSafeTimedSerializer, token: str) -> tuple[uuid.UUID, int]:
    """The session id a token names and when it was signed (Unix seconds), once its signature
    checks out. Cached per serializer (a new key builds a new one): every request of a session
    carries the same token, and checking its signature again would learn nothing new; its age
    is checked on every use. A token that fails is not cached."""
    try:
        payload, signed_at = serializer.loads(token, return_timestamp=True)
        # Signed by us, but the shape is still checked: an old or odd payload is just invalid.
        raw_id = payload.get("sid") if isinstance(payload, dict) else None
        if not isinstance(raw_id, str):
            raise ValueError("session token without a string sid")
        return uuid.UUID(hex=raw_id), int(signed_at.timestamp())
    except (BadSignature, TypeError, ValueError) as exc:
        raise Unauthenticated() from exc


def _load_session(token: str) -> tuple:
    session_id, signed_at = _verified(_serializer(), token)
    age = int(time.time()) - signed_at  # as itsdangerous reckons a token's max_age
    if not 0 <= age <= current_app.config["SESSION_TTL_HOURS"] * 3600:
        raise Unauthenticated()
    # On the session's connection (its transaction), fetched on the driver's cursor.
    row = _SESSION_ROW.one_or_none({"session_id": session_id})
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
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
    row = _load_session(token)
    if row.kind == PrincipalKind.STAFF:
        if row.staff_id is None or not row.is_active:
            raise Unauthenticated()
        return Principal(kind=PrincipalKind.STAFF, session_id=row.id, staff_id=row.staff_id,
                         role=row.role, organization_id=row.organization_id,
                         actor_external_id=str(row.staff_external_id))
    if row.account_id is None:
        raise Unauthenticated()
    return Principal(kind=PrincipalKind.ACCOUNT, session_id=row.id, account_id=row.account_id,
                     actor_external_id=str(row.account_external_id))


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
