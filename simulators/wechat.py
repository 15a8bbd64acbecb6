"""A local WeChat API (api.weixin.qq.com) for mini-program login and subscribe messages.

Speaks the real HTTP protocol with WeChat's JSON shapes and errcodes (HTTP 200 even for errors):

- ``GET  /cgi-bin/token`` (client_credential) -> ``{"access_token", "expires_in": 7200}``.
  A new token supersedes the previous one, which stays valid for 5 more minutes, as WeChat does.
- ``GET  /sns/jscode2session`` -> ``{"session_key", "openid", "unionid"?}``. Codes are
  single-use (a reused code gets 40163 "code been used"), bound to their appid, and expire after
  5 minutes (40029 "invalid code"). WeChat ignores the ``access_token`` wechatpy adds; so do we.
- ``POST /cgi-bin/message/subscribe/send?access_token=`` (JSON body) -> ``{"errcode": 0}``;
  40001 unknown token, 42001 expired token, 40003 openid not of this app, 43101 not subscribed.
  As with WeChat's one-time subscriptions, each acceptance allows one message.

Control endpoints for tests and the demo (not part of WeChat):

- ``POST /_sim/login-codes`` ``{"appid", "openid"?, "unionid"?}`` -> ``{"code", "openid"}``:
  what ``wx.login()`` would hand the mini-program. Without an openid a new user is made.
- ``POST /_sim/subscriptions`` ``{"openid", "template_id", "times"?: 1, "long_term"?: false}``:
  the user accepted ``wx.requestSubscribeMessage`` (``times`` times, or long-term).
- ``GET  /_sim/messages[?openid=]`` -> ``{"messages": [...]}`` sent so far, oldest first.
- ``GET  /_sim/calls`` -> ``{"calls": {"/cgi-bin/token": 1, ...}}`` vendor API calls per path.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request

CODE_TTL = 300  # wx.login codes live 5 minutes
ACCESS_TOKEN_TTL = 7200
SUPERSEDED_TOKEN_GRACE = 300  # the previous access token keeps working 5 minutes after a refresh

_OPENID_ALPHABET = string.ascii_letters + string.digits + "-_"
_CODE_ALPHABET = string.ascii_letters + string.digits

# errcode -> errmsg, as WeChat words them (without the trailing " rid: ..." request id).
ERRORS = {
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    47001: "data format error",
    47003: "argument invalid!",
}


def _random_id(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_openid() -> str:
    """28 characters starting with 'o', like WeChat's openids (and unionids)."""
    return "o" + _random_id(_OPENID_ALPHABET, 27)


@dataclass
class _User:
    appid: str
    unionid: str | None


@dataclass
class _LoginCode:
    appid: str
    openid: str
    expires_at: float
    used: bool = False


@dataclass
class _AccessToken:
    appid: str
    expires_at: float


class WeChatError(Exception):
    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg or ERRORS[errcode]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class WeChatSimulatorState:
    """All of a simulator's state; every method is thread-safe."""

    def __init__(self, apps: dict[str, str], clock: Callable[[], float] = time.time) -> None:
        self.apps = dict(apps)
        self.clock = clock
        self._lock = threading.RLock()
        self._users: dict[str, _User] = {}
        self._codes: dict[str, _LoginCode] = {}
        self._tokens: dict[str, _AccessToken] = {}
        self._current_token: dict[str, str] = {}
        self._subscriptions: dict[tuple[str, str], int | None] = {}  # None: long-term
        self._messages: list[dict[str, Any]] = []
        self._calls: Counter[str] = Counter()

    # -- control ---------------------------------------------------------------------------

    def mint_login_code(
        self, appid: str, openid: str | None = None, unionid: str | None = None
    ) -> tuple[str, str]:
        """Returns (code, openid): what wx.login() gives the mini-program of `appid`."""
        if appid not in self.apps:
            raise ControlError(404, f"unknown appid {appid!r}")
        with self._lock:
            now = self.clock()
            self._codes = {
                code: entry for code, entry in self._codes.items()
                if entry.expires_at + CODE_TTL > now
            }
            openid = openid or new_openid()
            user = self._users.get(openid)
            if user is None:
                user = self._users[openid] = _User(appid, unionid)
            elif user.appid != appid:
                raise ControlError(409, f"openid {openid!r} belongs to another appid")
            if unionid:
                user.unionid = unionid
            code = _random_id(_CODE_ALPHABET, 32)
            self._codes[code] = _LoginCode(appid, openid, now + CODE_TTL)
            return code, openid

    def subscribe(
        self, openid: str, template_id: str, times: int = 1, long_term: bool = False
    ) -> int | None:
        """The user accepted the template; returns how many messages may now be sent
        (None: unlimited, a long-term subscription)."""
        with self._lock:
            if openid not in self._users:
                raise ControlError(404, f"unknown openid {openid!r}: mint a login code first")
            key = (openid, template_id)
            if long_term or self._subscriptions.get(key, 0) is None:
                self._subscriptions[key] = None
            else:
                self._subscriptions[key] = self._subscriptions.get(key, 0) + times
            return self._subscriptions[key]

    def messages(self, openid: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages if openid in (None, m["touser"])]

    def calls(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    def count_call(self, path: str) -> None:
        with self._lock:
            self._calls[path] += 1

    # -- vendor API ------------------------------------------------------------------------

    def _check_app(self, appid: str | None, secret: str | None) -> str:
        if not appid:
            raise WeChatError(41002)
        if not secret:
            raise WeChatError(41004)
        expected = self.apps.get(appid)
        if expected is None:
            raise WeChatError(40013)
        if not secrets.compare_digest(expected.encode(), secret.encode()):
            raise WeChatError(40125)
        return appid

    def issue_access_token(self, grant_type: str | None, appid: str | None,
                           secret: str | None) -> dict[str, Any]:
        if grant_type != "client_credential":
            raise WeChatError(40002)
        self._check_app(appid, secret)
        with self._lock:
            now = self.clock()
            previous = self._tokens.get(self._current_token.get(appid, ""))
            if previous is not None:
                previous.expires_at = min(previous.expires_at, now + SUPERSEDED_TOKEN_GRACE)
            token = secrets.token_urlsafe(96)
            self._tokens[token] = _AccessToken(appid, now + ACCESS_TOKEN_TTL)
            self._current_token[appid] = token
        return {"access_token": token, "expires_in": ACCESS_TOKEN_TTL}

    def code_to_session(self, appid: str | None, secret: str | None, js_code: str | None,
                        grant_type: str | None) -> dict[str, Any]:
        if grant_type != "authorization_code":
            raise WeChatError(40002)
        self._check_app(appid, secret)
        if not js_code:
            raise WeChatError(41008)
        with self._lock:
            entry = self._codes.get(js_code)
            if entry is None or entry.appid != appid or entry.expires_at <= self.clock():
                raise WeChatError(40029)
            if entry.used:
                raise WeChatError(40163)
            entry.used = True
            user = self._users[entry.openid]
        result: dict[str, Any] = {
            "session_key": base64.b64encode(secrets.token_bytes(16)).decode("ascii"),
            "openid": entry.openid,
        }
        if user.unionid:
            result["unionid"] = user.unionid
        return result

    def _app_of_token(self, access_token: str | None) -> str:
        if not access_token:
            raise WeChatError(41001)
        with self._lock:
            token = self._tokens.get(access_token)
            if token is None:
                raise WeChatError(40001)
            if token.expires_at <= self.clock():
                raise WeChatError(42001)
            return token.appid

    def send_subscribe_message(self, access_token: str | None, body: bytes) -> dict[str, Any]:
        appid = self._app_of_token(access_token)
        try:
            payload = json.loads(body.decode("utf-8"))
        except ValueError:
            raise WeChatError(47001) from None
        if not isinstance(payload, dict):
            raise WeChatError(47001)
        touser, template_id = payload.get("touser"), payload.get("template_id")
        data, page = payload.get("data"), payload.get("page")
        if not isinstance(template_id, str) or not template_id:
            raise WeChatError(40037)
        if not isinstance(data, dict) or not data:
            raise WeChatError(47003, "argument invalid! data is empty")
        for key, item in data.items():
            if not isinstance(item, dict) or not isinstance(item.get("value"), str | int | float):
                raise WeChatError(47003, f"argument invalid! data.{key}.value is empty")
        if page is not None and not isinstance(page, str):
            raise WeChatError(47003, "argument invalid! page")
        with self._lock:
            user = self._users.get(touser) if isinstance(touser, str) else None
            if user is None or user.appid != appid:
                raise WeChatError(40003)
            key = (touser, template_id)
            if key not in self._subscriptions:
                raise WeChatError(43101)
            remaining = self._subscriptions[key]
            if remaining is not None:
                if remaining <= 1:
                    del self._subscriptions[key]
                else:
                    self._subscriptions[key] = remaining - 1
            self._messages.append({
                "appid": appid,
                "touser": touser,
                "template_id": template_id,
                "page": page,
                "data": data,
                "miniprogram_state": payload.get("miniprogram_state"),
                "lang": payload.get("lang"),
                "sent_at": self.clock(),
            })
        return {"errcode": 0, "errmsg": "ok"}


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def create_wechat_simulator(
    apps: dict[str, str], *, clock: Callable[[], float] = time.time
) -> Flask:
    """A WSGI app simulating WeChat for the mini-programs in `apps` (appid -> appsecret).

    `clock` (seconds, like time.time) lets tests expire codes and tokens. The state object is at
    ``app.extensions["wechat_simulator"]`` (a WeChatSimulatorState) for in-process tests.
    """
    app = Flask(__name__)
    state = WeChatSimulatorState(apps, clock)
    app.extensions["wechat_simulator"] = state

    @app.before_request
    def _count_call() -> None:
        if not request.path.startswith("/_sim/"):
            state.count_call(request.path)

    @app.errorhandler(WeChatError)
    def _wechat_error(exc: WeChatError) -> Response:
        return _json({"errcode": exc.errcode, "errmsg": exc.errmsg})

    @app.errorhandler(ControlError)
    def _control_error(exc: ControlError) -> Response:
        return _json({"error": exc.message}, exc.status)

    @app.get("/cgi-bin/token")
    def token() -> Response:
        args = request.args
        return _json(state.issue_access_token(
            args.get("grant_type"), args.get("appid"), args.get("secret")))

    @app.get("/sns/jscode2session")
    def jscode2session() -> Response:
        args = request.args
        return _json(state.code_to_session(
            args.get("appid"), args.get("secret"), args.get("js_code"), args.get("grant_type")))

    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send() -> Response:
        # wechatpy posts the JSON without a Content-Type: read the raw body.
        return _json(state.send_subscribe_message(
            request.args.get("access_token"), request.get_data()))

    def _control_body() -> dict[str, Any]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ControlError(400, "expected a JSON object")
        return body

    def _optional_str(body: dict[str, Any], key: str) -> str | None:
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise ControlError(400, f"{key} must be a non-empty string")
        return value

    def _required_str(body: dict[str, Any], key: str) -> str:
        value = _optional_str(body, key)
        if value is None:
            raise ControlError(400, f"{key} is required")
        return value

    @app.post("/_sim/login-codes")
    def mint_login_code() -> Response:
        body = _control_body()
        code, openid = state.mint_login_code(
            _required_str(body, "appid"), _optional_str(body, "openid"),
            _optional_str(body, "unionid"))
        return _json({"code": code, "openid": openid})

    @app.post("/_sim/subscriptions")
    def subscribe() -> Response:
        body = _control_body()
        times, long_term = body.get("times", 1), body.get("long_term", False)
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise ControlError(400, "times must be a positive integer")
        if not isinstance(long_term, bool):
            raise ControlError(400, "long_term must be a boolean")
        openid, template_id = _required_str(body, "openid"), _required_str(body, "template_id")
        remaining = state.subscribe(openid, template_id, times, long_term)
        return _json({"openid": openid, "template_id": template_id, "remaining": remaining})

    @app.get("/_sim/messages")
    def messages() -> Response:
        return _json({"messages": state.messages(request.args.get("openid"))})

    @app.get("/_sim/calls")
    def calls() -> Response:
        return _json({"calls": state.calls()})

    return app
