"""What every blueprint's routes share."""

from __future__ import annotations

import hashlib

from flask import request

from backend.request_context import client_ip

BEARER = [{"bearerAuth": []}]


def caller_key() -> str:
    """Rate-limit key: the session token (hashed, never stored in clear), else the address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "t:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "ip:" + client_ip()
