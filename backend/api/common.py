"""What every blueprint's routes share."""

from __future__ import annotations

import re

from flask import g, request

from backend.errors import ValidationFailed
from backend.request_context import client_ip

BEARER = [{"bearerAuth": []}]


def session_key() -> str:
    """Rate-limit key of an authenticated view: the session it runs in (so the spelling of the
    Authorization header cannot buy a fresh quota), else the address.

    Put the limit *below* the `require_…` decorator, so authentication has run first."""
    principal = g.get("principal")
    if principal is not None:
        return f"s:{principal.session_id}"
    return "ip:" + client_ip()


IDEMPOTENCY_HEADER = {"in": "header", "name": "Idempotency-Key", "required": False,
                      "schema": {"type": "string", "minLength": 8, "maxLength": 64,
                                 "pattern": "^[!-~]{8,64}$"},
                      "description": "The same key on a retried request returns the first "
                                     "result instead of doing it twice."}


_IDEMPOTENCY_KEY = re.compile("[!-~]{8,64}")  # 8–64 visible ASCII characters


def idempotency_key() -> str | None:
    """The client's Idempotency-Key header, checked: 8–64 visible ASCII characters."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if _IDEMPOTENCY_KEY.fullmatch(key) is None:
        raise ValidationFailed("请求标识格式不对。", field="Idempotency-Key")
    return key
