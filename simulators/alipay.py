"""A local Alipay open-API gateway (openapi.alipay.com/gateway.do).

``GET`` or ``POST /gateway.do`` takes the common parameters (app_id, method, charset, sign_type,
timestamp, version, biz_content, sign, plus a method's own top-level ones such as ``code``),
checks the app and its RSA2 (SHA256withRSA) signature over the sorted ``k=v&...`` string of every
non-empty parameter but ``sign`` the way Alipay does, and answers in Alipay's shapes:

- success: ``{"<method_with_underscores>_response": {...}, "sign": "<RSA2 of that object's exact
  JSON text by the Alipay private key>"}``;
- gateway errors (unknown app, bad signature, unknown method, missing parameter):
  ``{"error_response": {"code", "msg", "sub_code", "sub_msg"}}``;
- a method's own rejections either as ``{"error_response": {...}, "sign": ""}`` (e.g. an invalid
  oauth code) or, for business failures, signed inside the method's response object
  (``"code": "40004", "msg": "Business Failed"``), as trade methods do.

Methods are handlers in a dict: ``handler(call: MethodCall) -> dict`` returns the response
object or raises ``AlipayError``. Login is in ``DEFAULT_METHODS``; the trade methods and their
notifications are in ``simulators.alipay_trade`` (controls: ``simulators.alipay_trade_control``),
the bill in ``simulators.alipay_bill``; all are there by default. Add more with
``create_alipay_simulator(..., methods={"alipay.trade.create": handler})``; handlers keep their
own state in ``call.state.extra`` and can sign notifications with ``call.state.sign(text)``.

Control endpoints for tests and the demo (not part of Alipay; ``/_sim/trades/...`` too):

- ``POST /_sim/auth-codes`` ``{"app_id", "user_id"?}`` -> ``{"auth_code", "user_id", "open_id"}``:
  what ``my.getAuthCode`` would give the mini-program. Without a user_id a new user is made.
- ``GET  /_sim/calls`` -> ``{"calls": {"alipay.system.oauth.token": 1, ...}}`` gateway calls per
  method (including rejected ones).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, Response, request

AUTH_CODE_TTL = 300
OAUTH_ACCESS_TOKEN_TTL = 1296000  # 15 days
OAUTH_REFRESH_TOKEN_TTL = 2592000  # 30 days
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_ALNUM = string.ascii_letters + string.digits

_MSG = {
    "10000": "Success",
    "20000": "Service Currently Unavailable",
    "40001": "Missing Required Arguments",
    "40002": "Invalid Arguments",
    "40004": "Business Failed",
    "40006": "Insufficient Permissions",
}


class AlipayError(Exception):
    """A rejection, answered as ``error_response`` (``signed=False``, with ``"sign": ""`` when
    ``empty_sign``) or, when ``in_method_response``, inside the method's own signed object."""

    def __init__(
        self,
        code: str,
        sub_code: str,
        sub_msg: str,
        *,
        in_method_response: bool = False,
        empty_sign: bool = False,
    ) -> None:
        super().__init__(f"{code} {sub_code}: {sub_msg}")
        self.body = {"code": code, "msg": _MSG.get(code, ""), "sub_code": sub_code,
                     "sub_msg": sub_msg}
        self.in_method_response = in_method_response
        self.empty_sign = empty_sign


def _missing(sub_code: str, sub_msg: str) -> AlipayError:
    return AlipayError("40001", sub_code, sub_msg)


def _invalid(sub_code: str, sub_msg: str) -> AlipayError:
    return AlipayError("40002", sub_code, sub_msg)


def string_to_sign(params: dict[str, str]) -> str:
    """Alipay's content to sign: every parameter but `sign` whose value is not empty, sorted by
    key, as ``k=v`` joined with ``&``, values as sent (URL-decoded, not re-encoded)."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign" and v)


def locate_signed_content(raw: str, response_key: str) -> str:
    """The substring python-alipay-sdk verifies (``_get_string_to_be_signed``): from the first
    ``{`` after the first occurrence of `response_key` to its matching ``}``, counting braces
    without regard to JSON strings."""
    start = end = raw.find("{", raw.find(response_key))
    balance = 0
    for i in range(start + 1, len(raw)):
        if raw[i] == "{":
            balance += 1
        elif raw[i] == "}":
            if balance == 0:
                end = i + 1
                break
            balance -= 1
    return raw[start:end]


@dataclass
class _AuthCode:
    app_id: str
    user_id: str
    expires_at: float
    used: bool = False


@dataclass
class _OauthToken:
    app_id: str
    user_id: str
    expires_at: float


class AlipaySimulatorState:
    """All of a simulator's state and keys; thread-safe (hold `lock` for anything in `extra`)."""

    def __init__(
        self,
        apps: dict[str, str],
        alipay_private_key_pem: str,
        methods: dict[str, MethodHandler],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_public_keys: dict[str, rsa.RSAPublicKey] = {}
        for app_id, pem in apps.items():
            key = serialization.load_pem_public_key(pem.encode("ascii"))
            if not isinstance(key, rsa.RSAPublicKey):
                raise ValueError(f"app {app_id}: not an RSA public key")
            self.app_public_keys[app_id] = key
        private_key = serialization.load_pem_private_key(
            alipay_private_key_pem.encode("ascii"), password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ValueError("the Alipay private key is not an RSA key")
        self._private_key = private_key
        self.methods = methods
        self.clock = clock
        self.lock = threading.RLock()
        self.extra: dict[str, Any] = {}  # state of handlers registered later
        self._open_id_salt = secrets.token_bytes(16)
        self._auth_codes: dict[str, _AuthCode] = {}
        self._users: set[str] = set()
        self.oauth_tokens: dict[str, _OauthToken] = {}
        self._calls: Counter[str] = Counter()

    # -- keys ------------------------------------------------------------------------------

    def sign(self, content: str) -> str:
        """RSA2 signature by the Alipay private key, base64 without line breaks."""
        signature = self._private_key.sign(
            content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def verify_app_signature(self, app_id: str, content: str, sign: str) -> bool:
        try:
            signature = base64.b64decode(sign, validate=True)
            self.app_public_keys[app_id].verify(
                signature, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    # -- users -----------------------------------------------------------------------------

    def open_id(self, app_id: str, user_id: str) -> str:
        """The app-scoped id Alipay now gives instead of user_id: stable per (app, user)."""
        digest = hmac.new(self._open_id_salt, f"{app_id}:{user_id}".encode(), hashlib.sha512)
        number = int.from_bytes(digest.digest(), "big")
        chars = []
        for _ in range(44):
            number, index = divmod(number, len(_ALNUM))
            chars.append(_ALNUM[index])
        return "0" + f"{number % 100:02d}" + "".join(chars)

    def mint_auth_code(self, app_id: str, user_id: str | None = None) -> tuple[str, str]:
        """Returns (auth_code, user_id)."""
        if app_id not in self.app_public_keys:
            raise KeyError(app_id)
        with self.lock:
            now = self.clock()
            self._auth_codes = {
                code: entry for code, entry in self._auth_codes.items()
                if entry.expires_at + AUTH_CODE_TTL > now
            }
            if user_id is None:
                user_id = "2088" + "".join(secrets.choice(string.digits) for _ in range(12))
            self._users.add(user_id)
            code = uuid.uuid4().hex
            self._auth_codes[code] = _AuthCode(app_id, user_id, now + AUTH_CODE_TTL)
            return code, user_id

    def redeem_auth_code(self, app_id: str, code: str) -> str | None:
        """The user_id behind a valid, unused code of this app (and marks it used), else None."""
        with self.lock:
            entry = self._auth_codes.get(code)
            if entry is None or entry.used or entry.app_id != app_id:
                return None
            if entry.expires_at <= self.clock():
                return None
            entry.used = True
            return entry.user_id

    def count_call(self, method: str) -> None:
        with self.lock:
            self._calls[method] += 1

    def calls(self) -> dict[str, int]:
        with self.lock:
            return dict(self._calls)


@dataclass
class MethodCall:
    """One verified gateway request, as a method handler sees it."""

    state: AlipaySimulatorState
    app_id: str
    method: str
    params: dict[str, str]  # every request parameter, including the method's top-level ones
    biz_content: dict[str, Any] = field(default_factory=dict)

    @property
    def now(self) -> float:
        return self.state.clock()

    def beijing_time(self) -> str:
        return datetime.fromtimestamp(self.now, BEIJING).strftime(TIMESTAMP_FORMAT)


MethodHandler = Callable[[MethodCall], dict[str, Any]]


def oauth_token(call: MethodCall) -> dict[str, Any]:
    """alipay.system.oauth.token: exchange an auth code (top-level ``code``) for the user."""
    grant_type = call.params.get("grant_type")
    if not grant_type:
        raise _missing("isv.missing-grant-type", "缺少grant_type参数")
    if grant_type != "authorization_code":
        raise _invalid("isv.grant-type-invalid", "不支持的grant_type")
    code = call.params.get("code")
    user_id = call.state.redeem_auth_code(call.app_id, code) if code else None
    if user_id is None:
        raise AlipayError("40002", "isv.code-invalid", "授权码code无效", empty_sign=True)
    access_token = "authusrB" + uuid.uuid4().hex
    with call.state.lock:
        call.state.oauth_tokens[access_token] = _OauthToken(
            call.app_id, user_id, call.now + OAUTH_ACCESS_TOKEN_TTL)
    return {
        "user_id": user_id,
        "open_id": call.state.open_id(call.app_id, user_id),
        "access_token": access_token,
        "expires_in": OAUTH_ACCESS_TOKEN_TTL,
        "refresh_token": "authusrB" + uuid.uuid4().hex,
        "re_expires_in": OAUTH_REFRESH_TOKEN_TTL,
        "auth_start": call.beijing_time(),
    }


DEFAULT_METHODS: dict[str, MethodHandler] = {
    "alipay.system.oauth.token": oauth_token,
}


def _verify_request(state: AlipaySimulatorState, params: dict[str, str]) -> MethodCall:
    charset = params.get("charset") or "utf-8"
    if charset.lower() != "utf-8":
        raise _invalid("isv.invalid-charset", "字符集错误")
    method = params.get("method")
    if not method:
        raise _missing("isv.missing-method", "缺少方法名参数")
    app_id = params.get("app_id")
    if not app_id:
        raise _missing("isv.missing-app-id", "缺少AppID参数")
    if app_id not in state.app_public_keys:
        raise _invalid("isv.invalid-app-id", "无效的AppID参数")
    sign = params.get("sign")
    if not sign:
        raise _missing("isv.missing-signature", "缺少签名参数")
    sign_type = params.get("sign_type")
    if not sign_type:
        raise _missing("isv.missing-signature-type", "缺少签名类型参数")
    if sign_type != "RSA2":
        raise _invalid("isv.invalid-signature-type", "无效签名类型")
    timestamp = params.get("timestamp")
    if not timestamp:
        raise _missing("isv.missing-timestamp", "缺少时间戳参数")
    try:
        datetime.strptime(timestamp, TIMESTAMP_FORMAT)
    except ValueError:
        raise _invalid("isv.invalid-timestamp", "非法的时间戳参数") from None
    version = params.get("version")
    if not version:
        raise _missing("isv.missing-version", "缺少版本参数")
    if version != "1.0":
        raise _invalid("isv.invalid-parameter", "参数无效: version")
    if not state.verify_app_signature(app_id, string_to_sign(params), sign):
        raise _invalid("isv.invalid-signature", "验签出错")
    if method not in state.methods:
        raise _invalid("isv.invalid-method", "不存在的方法名")
    biz_content: dict[str, Any] = {}
    if params.get("biz_content"):
        try:
            biz_content = json.loads(params["biz_content"])
        except ValueError:
            biz_content = None  # type: ignore[assignment]
        if not isinstance(biz_content, dict):
            raise _invalid("isv.invalid-parameter", "参数无效: biz_content")
    return MethodCall(state, app_id, method, params, biz_content)


def _response(state: AlipaySimulatorState, response_key: str, body: dict[str, Any]) -> Response:
    """``{"<key>": body, "sign": ...}`` with the signature over body's exact JSON text, laid out so
    that the SDK's brace-counting locator finds exactly that text."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    raw = "{" + json.dumps(response_key) + ":" + content + ',"sign":' + json.dumps(
        state.sign(content)) + "}"
    if locate_signed_content(raw, response_key) != content:
        # Braces inside string values would fool the SDK's locator (as they would with Alipay).
        raise RuntimeError(f"response for {response_key} is not verifiable by python-alipay-sdk")
    return Response(raw, content_type="text/html;charset=utf-8")  # as Alipay labels it


def _error_response(error: AlipayError) -> Response:
    payload: dict[str, Any] = {"error_response": error.body}
    if error.empty_sign:
        payload["sign"] = ""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, content_type="text/html;charset=utf-8")


def create_alipay_simulator(
    apps: dict[str, str],
    alipay_private_key_pem: str,
    *,
    methods: dict[str, MethodHandler] | None = None,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """A WSGI app simulating Alipay's gateway for `apps` (app_id -> the app's RSA public key PEM),
    signing its answers with `alipay_private_key_pem` (whose public half clients trust as "the
    Alipay public key"). Login, trade and bill methods are there by default; `methods` adds to or
    replaces them. The state object is at ``app.extensions["alipay_simulator"]`` (an
    AlipaySimulatorState)."""
    # The trade and bill modules build on this one, so they are imported only here.
    from simulators.alipay_bill import BILL_METHODS, register_bill_routes
    from simulators.alipay_message import MESSAGE_METHODS, register_message_routes
    from simulators.alipay_trade import TRADE_METHODS
    from simulators.alipay_trade_control import register_trade_routes

    app = Flask(__name__)
    state = AlipaySimulatorState(
        apps, alipay_private_key_pem,
        {**DEFAULT_METHODS, **TRADE_METHODS, **BILL_METHODS, **MESSAGE_METHODS,
         **(methods or {})}, clock)
    app.extensions["alipay_simulator"] = state
    register_trade_routes(app, state)
    register_bill_routes(app, state)
    register_message_routes(app, state)

    @app.route("/gateway.do", methods=["GET", "POST"])
    def gateway() -> Response:
        params = {key: request.args.get(key, "") for key in request.args}
        params.update({key: request.form.get(key, "") for key in request.form})
        state.count_call(params.get("method") or "")
        try:
            call = _verify_request(state, params)
            response_key = call.method.replace(".", "_") + "_response"
            try:
                body = state.methods[call.method](call)
            except AlipayError as exc:
                if not exc.in_method_response:
                    raise
                body = exc.body
        except AlipayError as exc:
            return _error_response(exc)
        return _response(state, response_key, body)

    @app.post("/_sim/auth-codes")
    def mint_auth_code() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _control_error(400, "expected a JSON object")
        app_id, user_id = body.get("app_id"), body.get("user_id")
        if not isinstance(app_id, str) or not app_id:
            return _control_error(400, "app_id is required")
        if user_id is not None and (
            not isinstance(user_id, str) or len(user_id) != 16 or not user_id.isdigit()
            or not user_id.startswith("2088")
        ):
            return _control_error(400, "user_id must be 16 digits starting with 2088")
        if app_id not in state.app_public_keys:
            return _control_error(404, f"unknown app_id {app_id!r}")
        code, user_id = state.mint_auth_code(app_id, user_id)
        return _json({"auth_code": code, "user_id": user_id,
                      "open_id": state.open_id(app_id, user_id)})

    @app.get("/_sim/calls")
    def calls() -> Response:
        return _json({"calls": state.calls()})

    return app


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    mimetype="application/json")


def _control_error(status: int, message: str) -> Response:
    return _json({"error": message}, status)
