"""`frontdoor serve`: gunicorn as deployed — what its access log writes, how it refuses bodies."""

from __future__ import annotations

import contextlib
import re
import socket
import time

import pytest
import requests

from tests.helpers_process import frontdoor


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _serving(output: list[str]):
    """gunicorn on a free port; its whole output lands in `output` once it has stopped."""
    port = _free_port()
    process = frontdoor("serve", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                        "--threads", "2", LOG_JSON="false")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(base + "/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield port, base
    finally:
        process.terminate()
        output.append(process.communicate(timeout=30)[0])


def test_the_access_log_holds_no_query_string_and_no_identifier():
    output: list[str] = []
    with _serving(output) as (_port, base):
        requests.get(base + "/api/v1/mp/hospitals/not-an-id",
                     params={"phone": "13812345678", "id": "110105198203150033"},
                     headers={"Referer": base + "/?m=13912345678", "User-Agent": 'ua "x"',
                              "X-Request-ID": "req-12345678"}, timeout=10)
        requests.get(base + "/api/v1/mp/13700001111", timeout=10)
    log = output[0]
    # Address, time, request line without its query, status, bytes, ms, agent, request id.
    assert re.search(r'^127\.0\.0\.1 \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
                     r'"GET /api/v1/mp/hospitals/not-an-id HTTP/1\.1" 404 \d+ \d+ms '
                     r'"ua \\"x\\"" req-12345678$', log, re.MULTILINE), log
    assert '"GET /api/v1/mp/hospitals/not-an-id HTTP/1.1" 404' in log
    assert '"GET /api/v1/mp/137****1111 HTTP/1.1" 404' in log  # masked even in the path
    for identifier in ("13812345678", "110105198203150033", "13912345678", "13700001111"):
        assert identifier not in log


def test_a_refused_oversized_body_closes_the_connection_it_announced():
    output: list[str] = []
    with _serving(output) as (port, _base), \
            socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/mp/auth/wechat HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n"
                     + b"{" * 300_000)
        received = b""
        while chunk := sock.recv(65536):  # ends when the server closes, as it said it would
            received += chunk
    head = received.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 413")
    assert "connection: close" in head
