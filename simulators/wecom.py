"""A local WeCom (企业微信, qyapi.weixin.qq.com) for application messages to hospital staff.

Speaks the real HTTP protocol with WeCom's JSON shapes and errcodes (HTTP 200 even for errors):

- ``GET  /cgi-bin/gettoken?corpid=&corpsecret=`` -> ``{"errcode": 0, "access_token",
  "expires_in": 7200}``; 40013 unknown corp, 40001 wrong secret.
- ``POST /cgi-bin/message/send?access_token=`` (JSON body with ``touser`` "a|b", ``agentid``,
  ``msgtype`` and its part) -> ``{"errcode": 0, "invaliduser": "…", "msgid"}``. Members the
  corp does not have are returned in ``invaliduser`` (the rest still get the message); when no
  recipient is valid, 81013. 40014 unknown token, 40056 wrong agentid.

Control endpoints for tests and the demo (not part of WeCom):

- ``POST /_sim/members`` ``{"userid"}``: a member joins the corp (the app can reach them).
- ``POST /_sim/outage`` ``{"times": n}``: the next n sends answer -1 "system busy".
- ``GET  /_sim/messages[?userid=]`` -> ``{"messages": [...]}`` delivered, oldest first.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, request

TOKEN_TTL = 7200
ERRORS = {
    -1: "system busy",
    40001: "invalid credential",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40056: "invalid agentid",
    41001: "access_token missing",
    42001: "access_token expired",
    44004: "empty content",
    81013: "user & party & tag all invalid",
}


class WeComError(Exception):
    def __init__(self, errcode: int) -> None:
        super().__init__(errcode)
        self.errcode = errcode


class WeComState:
    """One corp with one application; every method is thread-safe."""

    def __init__(self, corp_id: str, secret: str, agent_id: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.corp_id, self.secret, self.agent_id, self.clock = corp_id, secret, agent_id, clock
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._members: set[str] = set()
        self._messages: list[dict[str, Any]] = []
        self._outage = 0

    def join(self, userid: str) -> None:
        with self._lock:
            self._members.add(userid)

    def fail_next(self, times: int) -> None:
        with self._lock:
            self._outage = max(0, times)

    def messages(self, userid: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages if userid in (None, m["userid"])]

    def token(self, corp_id: str | None, secret: str | None) -> dict[str, Any]:
        if corp_id != self.corp_id:
            raise WeComError(40013)
        if not secret or not secrets.compare_digest(secret.encode(), self.secret.encode()):
            raise WeComError(40001)
        with self._lock:
            token = secrets.token_urlsafe(32)
            self._tokens[token] = self.clock() + TOKEN_TTL
        return {"access_token": token, "expires_in": TOKEN_TTL}

    def send(self, token: str | None, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if not token:
                raise WeComError(41001)
            expires = self._tokens.get(token)
            if expires is None:
                raise WeComError(40014)
            if expires <= self.clock():
                raise WeComError(42001)
            if self._outage:
                self._outage -= 1
                raise WeComError(-1)
            if str(body.get("agentid")) != str(self.agent_id):
                raise WeComError(40056)
            kind = body.get("msgtype")
            part = body.get(kind) if isinstance(kind, str) else None
            if not isinstance(part, dict) or not (part.get("content") or part.get("description")):
                raise WeComError(44004)
            users = [u for u in str(body.get("touser") or "").split("|") if u]
            valid = [u for u in users if u in self._members]
            if not valid:
                raise WeComError(81013)
            msgid = secrets.token_hex(12)
            for userid in valid:
                self._messages.append({"userid": userid, "msgtype": kind, kind: dict(part),
                                       "safe": body.get("safe", 0), "msgid": msgid})
        return {"invaliduser": "|".join(u for u in users if u not in valid), "msgid": msgid}


def create_wecom_simulator(corp_id: str, secret: str, agent_id: int) -> Flask:
    state = WeComState(corp_id, secret, agent_id)
    app = Flask("wecom-simulator")
    app.config["WECOM_STATE"] = state

    def answer(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            return {"errcode": 0, "errmsg": "ok", **call()}
        except WeComError as error:
            return {"errcode": error.errcode, "errmsg": ERRORS[error.errcode]}

    @app.get("/cgi-bin/gettoken")
    def gettoken():
        return answer(lambda: state.token(request.args.get("corpid"),
                                          request.args.get("corpsecret")))

    @app.post("/cgi-bin/message/send")
    def send():
        body = request.get_json(force=True, silent=True) or {}
        return answer(lambda: state.send(request.args.get("access_token"), body))

    @app.post("/_sim/members")
    def members():
        userid = (request.get_json(force=True, silent=True) or {}).get("userid")
        if not isinstance(userid, str) or not userid:
            return {"error": "userid required"}, 400
        state.join(userid)
        return {"userid": userid}

    @app.post("/_sim/outage")
    def outage():
        times = (request.get_json(force=True, silent=True) or {}).get("times", 1)
        state.fail_next(int(times))
        return {"times": int(times)}

    @app.get("/_sim/messages")
    def messages():
        return {"messages": state.messages(request.args.get("userid"))}

    return app
