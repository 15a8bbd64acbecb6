"""Gateway callbacks (支付/退款结果通知): verified by signature, applied once, answered in the
gateway's own protocol so it stops retrying only when we have the news safely stored."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request

from backend.extensions import limiter
from backend.services import payments

bp = Blueprint("notify", __name__, url_prefix="/api/v1/notify")

MAX_BODY = 64 * 1024


@bp.route("/<channel>", methods=["POST"])
@limiter.exempt
def gateway_notification(channel: str) -> Response:
    if channel not in payments.registry().channels:
        abort(404)
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY:
        abort(413)
    ack = payments.handle_notification(channel, request.headers, body)
    return Response(ack.body, status=ack.status, content_type=ack.content_type)


def _aliyun_calls() -> None:
    """Aliyun's call callbacks carry no signature: the URL configured in its console holds our
    secret token, compared in constant time."""
    token = current_app.config["ALIYUN_VMS_CALLBACK_TOKEN"]
    if current_app.config["TELEPHONY_PROVIDER"] != "aliyun" or not token:
        abort(404)
    if not hmac.compare_digest(request.args.get("token", ""), token):
        abort(403)
    if (request.content_length or 0) > MAX_BODY:
        abort(413)


@bp.route("/sms/aliyun/report", methods=["POST"])
@limiter.exempt
def aliyun_sms_report() -> Response:
    """SmsReport 短信状态报告 (HTTP batch push). Unsigned by Alibaba Cloud: the URL holds our
    token, and each receipt must name a text we sent (BizId, OutId, number). Answered
    {"code": 0} once stored; a 5xx makes Alibaba Cloud push again."""
    from backend.services.followup import sms_receipts
    from backend.vendors.aliyun_sms import parse_report

    token = current_app.config["ALIYUN_SMS_REPORT_TOKEN"]
    if not token:
        abort(404)
    if not hmac.compare_digest(request.args.get("token", ""), token):
        abort(403)
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    try:
        receipts = parse_report(request.get_json(force=True, silent=True))
    except ValueError as error:
        return jsonify({"code": 1, "msg": str(error)}), 400
    outcomes = [sms_receipts.apply(receipt) for receipt in receipts]
    return jsonify({"code": 0, "msg": "接收成功", "applied": outcomes.count("applied")})


@bp.route("/calls/aliyun", methods=["POST"])
@limiter.exempt
def aliyun_call_callback() -> Response:
    """智能外呼回调: what the resident said → the dialogue's next action."""
    from backend.services.followup.calls import exchange
    from followup.calls.telephony.aliyun import answer_callback

    _aliyun_calls()
    try:
        return jsonify(answer_callback(exchange(), request.form.to_dict()))
    except ValueError:
        abort(400)


@bp.route("/calls/aliyun/report", methods=["POST"])
@limiter.exempt
def aliyun_call_report() -> Response:
    """VoiceReport 回执: how calls ended (busy, no answer …)."""
    from backend.services.followup.calls import exchange
    from followup.calls.telephony.aliyun import report_ended

    _aliyun_calls()
    reports = request.get_json(silent=True)
    if not isinstance(reports, list):
        abort(400)
    for item in reports:
        if isinstance(item, dict) and item.get("call_id"):
            report_ended(exchange(), str(item["call_id"]), str(item.get("status_code", "")))
    return jsonify({"code": 0, "msg": "成功"})
