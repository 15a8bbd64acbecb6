"""Gateway callbacks (支付/退款结果通知): verified by signature, applied once, answered in the
gateway's own protocol so it stops retrying only when we have the news safely stored."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

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
