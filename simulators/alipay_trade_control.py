"""Control endpoints for the simulator's trades (not part of Alipay); ``app_id`` is needed
only when two apps share an out_trade_no:

- ``POST /_sim/trades/pay`` ``{"out_trade_no", "app_id"?, "notify"?: true}`` -> ``{"trade",
  "delivery"}``: the buyer paid in ``my.tradePay``; ``delivery`` is what the receiver answered
  (``{"delivered", "status", "body", "error"}``), delivered synchronously, or null with
  ``"notify": false`` (the notification is kept, as if lost, for resend). 409 unless waiting.
- ``POST /_sim/trades/notify/resend`` ``{"out_trade_no", "app_id"?}`` -> ``{"delivery"}``: the
  last notification again, unchanged (same notify_id and sign), as Alipay's retries are.
- ``GET  /_sim/trades/<out_trade_no>[?app_id=]`` -> the trade, its refunds, and every
  notification sent (``form``, ``deliveries``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, request

from simulators.alipay import AlipaySimulatorState
from simulators.alipay_trade import Trade, deliver, notification_form, trade_book


def register_trade_routes(app: Flask, state: AlipaySimulatorState) -> None:
    """The /_sim/trades control endpoints."""

    def lookup(out_trade_no: Any, app_id: Any) -> Trade | Response:
        if not isinstance(out_trade_no, str) or not out_trade_no:
            return _error(400, "out_trade_no is required")
        if app_id is not None and not isinstance(app_id, str):
            return _error(400, "app_id must be a string")
        with state.lock:
            found = trade_book(state).find(out_trade_no, app_id)
            if not found:
                return _error(404, f"no trade {out_trade_no!r}")
            if len(found) > 1:
                return _error(409, "several apps have this out_trade_no: pass app_id")
            found[0].refresh(state.clock())
            return found[0]

    def posted() -> dict[str, Any] | Response:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else _error(400, "expected a JSON object")

    @app.post("/_sim/trades/pay")
    def pay() -> Response:
        body = posted()
        if isinstance(body, Response):
            return body
        trade = lookup(body.get("out_trade_no"), body.get("app_id"))
        if isinstance(trade, Response):
            return trade
        with state.lock:
            if trade.status != "WAIT_BUYER_PAY":
                return _error(409, f"trade is {trade.status}")
            trade.status, trade.paid_at = "TRADE_SUCCESS", state.clock()
            form = notification_form(state, trade)  # kept for resend even when not sent now
        delivery = deliver(state, trade, form) if (
            body.get("notify", True) and trade.notify_url) else None
        with state.lock:
            return _json({"trade": trade.view(), "delivery": delivery})

    @app.post("/_sim/trades/notify/resend")
    def resend() -> Response:
        body = posted()
        if isinstance(body, Response):
            return body
        trade = lookup(body.get("out_trade_no"), body.get("app_id"))
        if isinstance(trade, Response):
            return trade
        with state.lock:
            if not trade.notifications or not trade.notify_url:
                return _error(409, "no notification to resend")
            form = trade.notifications[-1]["form"]
        return _json({"delivery": deliver(state, trade, form)})

    @app.get("/_sim/trades/<out_trade_no>")
    def show(out_trade_no: str) -> Response:
        trade = lookup(out_trade_no, request.args.get("app_id"))
        if isinstance(trade, Response):
            return trade
        with state.lock:
            return _json(trade.view())


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    mimetype="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)
