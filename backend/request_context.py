"""Per-request facts every layer needs: the request id and the client's address."""

from __future__ import annotations

import re
import uuid

from flask import g, has_request_context, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def assign_request_id() -> str:
    """Keep a sane X-Request-ID from the proxy, otherwise make one, so logs join up."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    return g.request_id


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


def client_ip() -> str:
    """The caller's address; ProxyFix has already applied TRUSTED_PROXIES to remote_addr."""
    if has_request_context():
        return request.remote_addr or "unknown"
    return "local"
