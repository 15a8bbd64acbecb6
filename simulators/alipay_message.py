"""Alipay's mini-program message method (alipay.open.app.mini.templatemessage.send) for the
local gateway: it checks the fields Alipay requires and keeps what was sent for tests to read.

Control endpoint (not part of Alipay): ``GET /_sim/template-messages[?to_user_id=]``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, jsonify, request

from simulators.alipay import AlipayError, AlipaySimulatorState, MethodCall

_REQUIRED = {"to_user_id": 20, "form_id": 64, "user_template_id": 64, "page": 128, "data": 2048}


def send_template_message(call: MethodCall) -> dict[str, Any]:
    biz = call.biz_content
    for name, limit in _REQUIRED.items():
        value = biz.get(name)
        if not isinstance(value, str) or not value or len(value) > limit:
            raise AlipayError("40002", "isv.invalid-parameter", f"参数无效: {name}")
    try:
        data = json.loads(biz["data"])
    except ValueError:
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: data") from None
    if not isinstance(data, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("value"), str) for v in data.values()):
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: data")
    with call.state.lock:
        call.state.extra.setdefault("alipay_template_messages", []).append({
            "app_id": call.app_id, "to_user_id": biz["to_user_id"], "form_id": biz["form_id"],
            "user_template_id": biz["user_template_id"], "page": biz["page"], "data": data})
    return {"code": "10000", "msg": "Success"}


MESSAGE_METHODS = {"alipay.open.app.mini.templatemessage.send": send_template_message}


def register_message_routes(app: Flask, state: AlipaySimulatorState) -> None:
    @app.get("/_sim/template-messages")
    def template_messages() -> Response:
        user = request.args.get("to_user_id")
        with state.lock:
            sent = list(state.extra.get("alipay_template_messages", []))
        return jsonify({"messages": [m for m in sent if not user or m["to_user_id"] == user]})
