"""A local WeChat Pay API v3 (api.mch.weixin.qq.com) for JSAPI / mini-program payments.

Every ``/v3/`` call must carry the merchant's ``Authorization: WECHATPAY2-SHA256-RSA2048 ...``
(checked against the merchant's registered public key and certificate serial, timestamp within
5 minutes; otherwise 401 SIGN_ERROR), and every answer is signed with the platform private key
(``Wechatpay-Signature``, ``-Timestamp``, ``-Nonce``, ``-Serial`` = the platform public key id),
as WeChat does. Errors are ``{"code", "message"}`` with WeChat's HTTP statuses and codes.

- ``POST /v3/pay/transactions/jsapi`` -> ``{"prepay_id"}``. A repeated out_trade_no with the same
  content gets the same prepay_id; with other content 400 INVALID_REQUEST; paid 400 ORDERPAID.
- ``GET  /v3/pay/transactions/out-trade-no/{no}?mchid=`` (or ``/id/{transaction_id}``): the
  transaction (NOTPAY, SUCCESS, CLOSED, REFUND); unknown: 404 ORDER_NOT_EXIST.
- ``POST /v3/pay/transactions/out-trade-no/{no}/close`` ``{"mchid"}`` -> 204 (again: 204; paid:
  400 ORDERPAID).
- ``POST /v3/refund/domestic/refunds``, ``GET /v3/refund/domestic/refunds/{out_refund_no}``:
  a refund never exceeds what is left of the payment; the same out_refund_no is idempotent.
- ``GET  /v3/bill/tradebill?bill_date=&bill_type=ALL[&tar_type=GZIP]`` -> ``{"hash_type":
  "SHA1", "hash_value", "download_url"}``; ``GET /v3/billdownload/file?token=`` gives the CSV
  (gzipped if asked), authorized but unsigned, as WeChat serves it. A day without trades is
  400 NO_STATEMENT_EXIST.

Refunds: with ``refund_mode="manual"`` (the default) a refund answers PROCESSING and stays so
until ``POST /_sim/refunds/complete``, which also sends the REFUND.* notification; with
``"immediate"`` it answers SUCCESS and the notification follows from a background thread, as
WeChat's would arrive shortly after the answer.

Control endpoints for tests and the demo (not part of WeChat). Notifications are POSTed over real
HTTP (timeout 5 s), freshly signed at each delivery; failures are recorded, never raised.

- ``POST /_sim/pay`` ``{"out_trade_no", "mchid"?, "notify"?: true}``: the payer paid in WeChat;
  the order turns SUCCESS and TRANSACTION.SUCCESS goes to its notify_url (``"notify": false``
  keeps it back, as if lost). -> ``{"out_trade_no", "transaction_id", "notification"}`` where
  notification is ``{"status", "body", "error", ...}``: what the receiver answered, or null.
- ``POST /_sim/notify/resend`` ``{"out_trade_no"} | {"out_refund_no"}``: the same notification
  (same id and ciphertext) again, as WeChat's retries send it.
- ``POST /_sim/refunds/complete`` ``{"out_refund_no", "status"?: "SUCCESS" | "ABNORMAL" |
  "CLOSED"}`` -> ``{"refund", "notification"}``.
- ``GET  /_sim/orders/<out_trade_no>`` -> ``{"order": {..., "refunds": [...]}}``.
- ``GET  /_sim/notifications`` -> ``{"notifications": [...]}`` every delivery, oldest first.
- ``GET  /_sim/calls`` -> ``{"calls": {"POST /v3/pay/transactions/jsapi": 1, ...}}``.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import requests
from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from simulators.wechatpay_protocol import (
    MerchantAccount,
    Outgoing,
    PlatformSigner,
    WeChatPayError,
    authenticate,
)
from simulators.wechatpay_state import ControlError, WeChatPayState

__all__ = ["MerchantAccount", "WeChatPayState", "create_wechatpay_simulator"]

NOTIFY_TIMEOUT = 5.0


def _json(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def _raw_url() -> str:
    """The request target exactly as the client signed it (path and query, still encoded)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return raw
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def _body_text() -> str:
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise WeChatPayError(400, "PARAM_ERROR", "请求体不是 UTF-8") from None


def _payload() -> dict[str, Any]:
    try:
        payload = json.loads(_body_text() or "null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise WeChatPayError(400, "PARAM_ERROR", "请求体必须是 JSON 对象")
    return payload


def _control_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ControlError(400, "expected a JSON object")
    for key in ("out_trade_no", "out_refund_no", "mchid", "status"):
        if key in body and (not isinstance(body[key], str) or not body[key]):
            raise ControlError(400, f"{key} must be a non-empty string")
    if not isinstance(body.get("notify", True), bool):
        raise ControlError(400, "notify must be a boolean")
    return body


def create_wechatpay_simulator(
    merchants: Mapping[str, MerchantAccount],
    platform_private_key_pem: str,
    platform_public_key_id: str,
    *,
    refund_mode: str = "manual",
    clock: Callable[[], float] = time.time,
) -> Flask:
    """A WSGI app simulating WeChat Pay for `merchants` (mchid -> MerchantAccount), signing with
    `platform_private_key_pem` whose public half clients hold as the platform public key
    `platform_public_key_id`. `refund_mode` is "manual" or "immediate" (see the module doc);
    `clock` (like time.time) lets tests move time. The state is at
    ``app.extensions["wechatpay_simulator"]`` (a WeChatPayState)."""
    app = Flask(__name__)
    state = WeChatPayState(merchants, refund_mode, clock)
    signer = PlatformSigner(platform_private_key_pem, platform_public_key_id)
    app.extensions["wechatpay_simulator"] = state

    def deliver(outgoing: Outgoing) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "User-Agent": "Mozilla/4.0",
                   **signer.headers(outgoing.body, state.clock())}
        try:
            answer = requests.post(outgoing.url, data=outgoing.body, headers=headers,
                                   timeout=NOTIFY_TIMEOUT)
            result = {"status": answer.status_code, "body": answer.text, "error": None}
        except requests.RequestException as exc:
            result = {"status": None, "body": None, "error": f"{type(exc).__name__}: {exc}"}
        return state.record_delivery(outgoing, result)

    @app.before_request
    def _authenticate() -> None:
        if request.path.startswith("/_sim/"):
            return
        rule = request.url_rule.rule if request.url_rule else request.path
        state.count_call(f"{request.method} {rule}")
        g.mchid = authenticate(state.merchants, request.headers.get("Authorization", ""),
                               request.method, _raw_url(), _body_text(), state.clock())

    @app.after_request
    def _sign(response: Response) -> Response:
        if request.path.startswith("/_sim/") or request.path.startswith("/v3/billdownload/"):
            return response
        response.headers.update(signer.headers(response.get_data(), state.clock()))
        response.headers["Request-ID"] = uuid.uuid4().hex
        return response

    @app.errorhandler(WeChatPayError)
    def _vendor_error(exc: WeChatPayError) -> Response:
        return _json({"code": exc.code, "message": exc.message}, exc.status)

    @app.errorhandler(ControlError)
    def _control_error(exc: ControlError) -> Response:
        return _json({"error": exc.message}, exc.status)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        code = (exc.name or "ERROR").upper().replace(" ", "_")
        return _json({"code": code, "message": exc.description or ""}, exc.code or 500)

    # -- vendor API ------------------------------------------------------------------------------

    def _query_mchid() -> str:
        if request.args.get("mchid") != g.mchid:
            raise WeChatPayError(400, "PARAM_ERROR", "mchid 缺失或与请求商户号不一致")
        return g.mchid

    @app.post("/v3/pay/transactions/jsapi")
    def jsapi() -> Response:
        return _json(state.create_jsapi_order(g.mchid, _payload()))

    @app.get("/v3/pay/transactions/out-trade-no/<out_trade_no>")
    def query_by_out_trade_no(out_trade_no: str) -> Response:
        return _json(state.transaction(_query_mchid(), out_trade_no=out_trade_no))

    @app.get("/v3/pay/transactions/id/<transaction_id>")
    def query_by_transaction_id(transaction_id: str) -> Response:
        return _json(state.transaction(_query_mchid(), transaction_id=transaction_id))

    @app.post("/v3/pay/transactions/out-trade-no/<out_trade_no>/close")
    def close(out_trade_no: str) -> Response:
        state.close(g.mchid, out_trade_no, _payload())
        return Response(status=204)

    @app.post("/v3/refund/domestic/refunds")
    def create_refund() -> Response:
        view, outgoing = state.create_refund(g.mchid, _payload())
        if outgoing is not None:
            threading.Thread(target=deliver, args=(outgoing,), daemon=True,
                             name="wechatpay-sim-refund-notify").start()
        return _json(view)

    @app.get("/v3/refund/domestic/refunds/<out_refund_no>")
    def query_refund(out_refund_no: str) -> Response:
        return _json(state.refund(g.mchid, out_refund_no))

    @app.get("/v3/bill/tradebill")
    def trade_bill() -> Response:
        args = request.args
        hash_value, token = state.trade_bill(g.mchid, args.get("bill_date"),
                                             args.get("bill_type"), args.get("tar_type"))
        return _json({"hash_type": "SHA1", "hash_value": hash_value,
                      "download_url": f"{request.host_url}v3/billdownload/file?token={token}"})

    @app.get("/v3/billdownload/file")
    def bill_download() -> Response:
        data, tar_type = state.bill_file(g.mchid, request.args.get("token"))
        return Response(gzip.compress(data) if tar_type == "GZIP" else data,
                        mimetype="application/octet-stream")

    # -- control ---------------------------------------------------------------------------------

    @app.post("/_sim/pay")
    def pay() -> Response:
        body = _control_body()
        out_trade_no, mchid = body.get("out_trade_no"), body.get("mchid")
        if out_trade_no is None:
            raise ControlError(400, "out_trade_no is required")
        outgoing = state.pay(out_trade_no, mchid)
        order = state.inspect(out_trade_no, mchid)
        delivery = deliver(outgoing) if body.get("notify", True) else None
        return _json({"out_trade_no": out_trade_no, "transaction_id": order["transaction_id"],
                      "notification": delivery})

    @app.post("/_sim/notify/resend")
    def resend() -> Response:
        body = _control_body()
        if "out_trade_no" not in body and "out_refund_no" not in body:
            raise ControlError(400, "out_trade_no or out_refund_no is required")
        outgoing = state.last_notification(body.get("out_trade_no"), body.get("out_refund_no"),
                                           body.get("mchid"))
        return _json({"notification": deliver(outgoing)})

    @app.post("/_sim/refunds/complete")
    def complete_refund() -> Response:
        body = _control_body()
        out_refund_no, mchid = body.get("out_refund_no"), body.get("mchid")
        if out_refund_no is None:
            raise ControlError(400, "out_refund_no is required")
        outgoing = state.complete_refund(out_refund_no, body.get("status", "SUCCESS"), mchid)
        delivery = deliver(outgoing) if outgoing and body.get("notify", True) else None
        refund = state.inspect_refund(out_refund_no, mchid)
        return _json({"refund": refund, "notification": delivery})

    @app.get("/_sim/orders/<out_trade_no>")
    def inspect(out_trade_no: str) -> Response:
        return _json({"order": state.inspect(out_trade_no, request.args.get("mchid"))})

    @app.get("/_sim/notifications")
    def notifications() -> Response:
        return _json({"notifications": state.deliveries()})

    @app.get("/_sim/calls")
    def calls() -> Response:
        return _json({"calls": state.calls()})

    return app
