"""Logs are JSON lines with the request id, and never carry a clear ID number or phone."""

from __future__ import annotations

import io
import json
import logging

from backend.logging_setup import configure_logging
from tests import factories as f


def test_request_log_lines_are_json_with_request_id_and_masked_identifiers(client, ctx):
    buffer = io.StringIO()
    configure_logging("INFO", json_lines=True, stream=buffer)
    try:
        number = f.resident_id()
        headers = f.bearer(f.account_token(f.account()))
        response = client.post("/api/v1/mp/profiles", headers=headers, json={
            "relationship": "self", "name": "钱七", "document_number": number})
        logging.getLogger("test").info("looked up %s and 13812345678", number)
    finally:
        configure_logging("WARNING", json_lines=True)
    output = buffer.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    request_lines = [line for line in lines if line.get("path") == "/api/v1/mp/profiles"]
    assert request_lines, output
    assert request_lines[0]["request_id"] == response.headers["X-Request-ID"]
    assert request_lines[0]["status"] == 201
    assert number not in output and "13812345678" not in output
    assert any(number[:3] + "*" * 11 + number[-4:] in line["msg"] for line in lines)
    assert any("138****5678" in line["msg"] for line in lines)
