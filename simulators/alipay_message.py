"""Alipay's mini-program message method (alipay.open.app.mini.templatemessage.send) for the
local gateway, behind the gateway's RSA2 signature check. Two kinds, as Alipay has them:

- a template message (模板消息) names the payment or form it follows in ``form_id``;
- a subscription message (订阅消息) has no ``form_id``: it needs the user's acceptance of that
  template in ``my.requestSubscribeMessage``; a one-time acceptance allows one message, and
  without one the call is a business failure (``40004``, ``USER_NOT_SUBSCRIBED``, signed in
  the method's response). This is our reading of Alipay's documents; the sub-code is ours.

Control endpoints (not part of Alipay): ``GET /_sim/template-messages[?to_user_id=]``;
``POST /_sim/subscriptions`` ``{"user_id", "template_id", "times"?}`` (the user tapped 允许).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, jsonify, request

from simulators.alipay import AlipayError, AlipaySimulatorState, MethodCall

_REQUIRED = {"to_user_id": 20, "user_template_id": 64, "page": 128, "data": 2048}
NOT_SUBSCRIBED = "USER_NOT_SUBSCRIBED"


def send_template_message(call: MethodCall) -> dict[str, Any]:
    biz = call.biz_content
    for name, limit in _REQUIRED.items():
        value = biz.get(name)
        if not isinstance(value, str) or not value or len(value) > limit:
            raise AlipayError("40002", "isv.invalid-parameter", f"参数无效: {name}")
    form_id = biz.get("form_id")
    if form_id is not None and (not isinstance(form_id, str) or not form_id
                                or len(form_id) > 64):
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: form_id")
    try:
        data = json.loads(biz["data"])
    except ValueError:
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: data") from None
    if not isinstance(data, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("value"), str) for v in data.values()):
        raise AlipayError("40002", "isv.invalid-parameter", "参数无效: data")
    with call.state.lock:
        if form_id is None:
            grants = call.state.extra.setdefault("alipay_subscriptions", {})
            key = (call.app_id, biz["to_user_id"], biz["user_template_id"])
            if grants.get(key, 0) <= 0:
                raise AlipayError("40004", NOT_SUBSCRIBED, "用户未订阅该消息或订阅次数已用完",
                                  in_method_response=True)
            grants[key] -= 1
        call.state.extra.setdefault("alipay_template_messages", []).append({
            "app_id": call.app_id, "to_user_id": biz["to_user_id"], "form_id": form_id,
            "kind": "template" if form_id else "subscription",
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

    @app.post("/_sim/subscriptions")
    def subscribe() -> Response | tuple[Response, int]:
        body = request.get_json(force=True, silent=True) or {}
        user, template = body.get("user_id"), body.get("template_id")
        times = body.get("times", 1)
        if not isinstance(user, str) or not isinstance(template, str) \
                or not isinstance(times, int) or times < 1:
            return jsonify({"error": "user_id, template_id and times ≥ 1 required"}), 400
        with state.lock:
            grants = state.extra.setdefault("alipay_subscriptions", {})
            for app_id in state.app_public_keys:
                grants[(app_id, user, template)] = grants.get((app_id, user, template), 0) + times
        return jsonify({"user_id": user, "template_id": template, "times": times})
