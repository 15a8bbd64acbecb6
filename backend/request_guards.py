"""Refuse malformed request bodies before any parser sees them.

Why: Python's JSON parser recurses once per nesting level, so `[[[[…]]]]` a hundred thousand
deep ends in RecursionError (a 500) inside whatever parses it first. And a body in another
format sent to a JSON operation would otherwise be read as "no body": the request "succeeds"
and does nothing. Both are caught here, once, for every JSON API route.
"""

from __future__ import annotations

from flask import Flask, request

from backend.errors import ApiError

MAX_JSON_DEPTH = 32
JSON_MEDIA_TYPES = ("application/json",)
# Routes that speak JSON bodies; the gateways' callbacks (/api/v1/notify) speak their own formats
# and the FHIR routes are read-only.
_JSON_PREFIXES = ("/api/v1/mp/", "/api/v1/admin/")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Routes that take a recording from the mini-program's uploadFile (multipart/form-data).
_UPLOAD_SUFFIXES = ("/voice", "/speech/transcriptions")
UPLOAD_MEDIA_TYPE = "multipart/form-data"


class UnsupportedMediaType(ApiError):
    status, code, message = 415, "unsupported_media_type", "请以 JSON 格式提交。"


class JsonTooDeep(ApiError):
    status, code, message = 400, "json_too_deep", "提交的内容层级太深了。"


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays/objects nest deeper than `limit` (brackets inside strings ignored).

    A linear scan that never recurses; bodies with fewer brackets than the limit skip it.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()


def check_body() -> None:
    """415 for a non-JSON body on a JSON route; 400 for JSON nested too deep anywhere."""
    if request.method not in _BODY_METHODS or not _has_body():
        return
    is_json = request.mimetype in JSON_MEDIA_TYPES
    is_upload = (request.mimetype == UPLOAD_MEDIA_TYPE and request.path.startswith(_JSON_PREFIXES)
                 and request.path.endswith(_UPLOAD_SUFFIXES))
    if not is_json and not is_upload and request.path.startswith(_JSON_PREFIXES):
        raise UnsupportedMediaType()
    if is_json or request.mimetype.endswith("+json"):
        # get_data enforces MAX_CONTENT_LENGTH (413) and caches the body for the real parser.
        if json_depth_exceeds(request.get_data(cache=True)):
            raise JsonTooDeep(f"提交的内容层级太深了（最多{MAX_JSON_DEPTH}层）。")


def register_request_guards(app: Flask) -> None:
    app.before_request(check_body)
