"""One error envelope for every failure, with a stable code, the field, and a Chinese message.

`{"error": {"code": "...", "message": "...", "field": "...", "fields": {...}, "request_id": "..."}}`
Clients switch on `code`; people read `message`. No stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, jsonify
from redis import RedisError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from backend.rate_limits import RateLimited
from backend.request_context import current_request_id

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal the client can act on. Raised by services, rendered by the one handler."""

    status = 400
    code = "bad_request"
    message = "请求有误，请检查后重试。"

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 field: str | None = None, status: int | None = None,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.field = field
        self.status = status or self.status
        self.fields = fields  # every offending place and why (e.g. each bad line of a file)


class ValidationFailed(ApiError):
    status, code, message = 422, "validation_error", "填写的内容有误，请检查后重试。"


class Unauthenticated(ApiError):
    status, code, message = 401, "unauthenticated", "登录已失效，请重新登录。"


class Forbidden(ApiError):
    status, code, message = 403, "forbidden", "您没有权限进行此操作。"


class NotFound(ApiError):
    status, code, message = 404, "not_found", "没有找到相关信息。"


class Conflict(ApiError):
    status, code, message = 409, "conflict", "该信息已存在或状态已变化，请刷新后重试。"


class ServiceUnavailable(ApiError):
    status, code, message = 503, "service_unavailable", "服务暂时不可用，请稍后再试。"


_HTTP_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求有误，请检查后重试。"),
    401: ("unauthenticated", "登录已失效，请重新登录。"),
    403: ("forbidden", "您没有权限进行此操作。"),
    404: ("not_found", "没有找到相关信息。"),
    405: ("method_not_allowed", "不支持此操作。"),
    409: ("conflict", "该信息已存在或状态已变化，请刷新后重试。"),
    413: ("payload_too_large", "提交的内容太大了。"),
    415: ("unsupported_media_type", "请以 JSON 格式提交。"),
    422: ("validation_error", "填写的内容有误，请检查后重试。"),
    429: ("rate_limited", "操作太频繁了，请稍后再试。"),
    500: ("internal_error", "系统开小差了，请稍后再试。"),
    503: ("service_unavailable", "服务暂时不可用，请稍后再试。"),
}

# marshmallow's English messages, said in plain Chinese.
_FIELD_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh) for pattern, zh in (
        (r"^Missing data for required field\.$", "此项必须填写。"),
        (r"^Field may not be null\.$", "此项不能为空。"),
        (r"^Unknown field\.$", "不支持此项。"),
        (r"^Not a valid (string|integer|number|boolean|date|datetime|UUID)\.$", "格式不正确。"),
        (r"^Not a valid mapping type\.$", "格式不正确。"),
        (r"^Invalid input type\.$", "格式不正确。"),
        (r"^Must be one of: .*\.$", "不是可选的值。"),
        (r"^Length must be between (\d+) and (\d+)\.$", r"长度应在\1到\2之间。"),
        (r"^Shorter than minimum length (\d+)\.$", r"长度不能少于\1。"),
        (r"^Longer than maximum length (\d+)\.$", r"长度不能超过\1。"),
        (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$",
         r"应在\1到\2之间。"),
        (r"^String does not match expected pattern\.$", "格式不正确。"),
        (r"^Invalid value\.$", "格式不正确。"),
    )
)


def to_chinese(message: str) -> str:
    for pattern, zh in _FIELD_MESSAGES:
        if pattern.match(message):
            return pattern.sub(zh, message)
    return message if re.search(r"[\u4e00-\u9fff]", message) else "格式不正确。"


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests by location ({"json": {"name": [...]}}); the client wants `name`."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in {"json", "query", "form", "files", "headers", "path"} and not prefix:
                flat.update(_flatten(value, ""))
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
                flat.update(_flatten(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = [to_chinese(m) for m in messages]
    elif isinstance(messages, list):
        for index, item in enumerate(messages):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [to_chinese(str(messages))]
    return flat


def error_body(status: int, code: str, message: str, field: str | None = None,
               fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message,
                             "request_id": current_request_id() or ""}
    if field:
        error["field"] = field
    if fields:
        error["fields"] = fields
    return {"error": error}


def _respond(status: int, body: dict[str, Any], headers: Any = None):
    response = jsonify(body)
    response.status_code = status
    if headers:
        response.headers.extend(headers)
    return response


def _kept_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """The exception's own headers (a 405's `Allow`, a 401's `WWW-Authenticate`, webargs'
    extras) survive the switch to our envelope; only its HTML content type is dropped."""
    headers = [(name, value) for name, value in exc.get_headers()
               if name.lower() != "content-type"]
    extra = getattr(exc, "data", {}).get("headers")
    if extra:
        headers.extend(dict(extra).items())
    return headers


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        return _respond(exc.status, error_body(exc.status, exc.code, exc.message, exc.field,
                                               exc.fields))

    @app.errorhandler(RateLimited)
    def handle_rate_limit(exc: RateLimited):
        code, message = _HTTP_DEFAULTS[429]
        log.warning("rate limit exceeded", extra={"limit": str(exc.description)})
        return _respond(429, error_body(429, code, message),
                        {"Retry-After": str(exc.retry_after)})

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        status = exc.code or 500
        code, message = _HTTP_DEFAULTS.get(status, ("http_error", "请求未能完成，请稍后再试。"))
        fields = None
        messages = getattr(exc, "data", {}).get("messages")
        if messages:
            fields = _flatten(messages)
        field = next(iter(fields)) if fields else None
        if fields and len(fields) == 1 and field != "_schema":
            message = f"{fields[field][0]}"
        return _respond(status, error_body(status, code, message, field, fields),
                        _kept_headers(exc))

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(exc: IntegrityError):
        # Validation should have caught it; a constraint still refusing means a race or a
        # rule the schema missed. Either way the client gets a conflict, never a 500.
        from backend.extensions import db

        db.session.rollback()
        log.warning("constraint refused a write", extra={
            "constraint": getattr(getattr(exc.orig, "diag", None), "constraint_name", None)})
        code, message = _HTTP_DEFAULTS[409]
        return _respond(409, error_body(409, code, message))

    @app.errorhandler(RedisError)
    def handle_redis_error(exc: RedisError):
        # Every path that needs Redis has a fallback; one that still reaches here is answered
        # as what it is, a passing outage, not as a bug.
        log.error("redis unreachable", extra={"error": type(exc).__name__})
        code, message = _HTTP_DEFAULTS[503]
        return _respond(503, error_body(503, code, message), {"Retry-After": "30"})

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        log.exception("unhandled error")
        code, message = _HTTP_DEFAULTS[500]
        return _respond(500, error_body(500, code, message))
