"""What every blueprint's routes share."""

from __future__ import annotations

import hashlib

from flask import request

from backend.errors import ValidationFailed
from backend.request_context import client_ip

BEARER = [{"bearerAuth": []}]


def caller_key() -> str:
    """Rate-limit key: the session token (hashed, never stored in clear), else the address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "t:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "ip:" + client_ip()


IDEMPOTENCY_HEADER = {"in": "header", "name": "Idempotency-Key", "required": False,
                      "schema": {"type": "string", "minLength": 8, "maxLength": 64,
                                 "pattern": "^[!-~]{8,64}$"},
                      "description": "The same key on a retried request returns the first "
                                     "result instead of doing it twice."}


def idempotency_key() -> str | None:
    """The client's Idempotency-Key header, checked: 8–64 visible ASCII characters."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 8 <= len(key) <= 64 or not all(33 <= ord(c) <= 126 for c in key):
        raise ValidationFailed("请求标识格式不对。", field="Idempotency-Key")
    return key
