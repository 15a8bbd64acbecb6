"""SimulatorServer: any WSGI app on loopback, from a daemon thread."""

from __future__ import annotations

import pytest
import requests
from flask import Flask

from simulators.server import SimulatorServer


def _hello_app() -> Flask:
    app = Flask(__name__)

    @app.get("/hello")
    def hello():
        return {"hello": "world"}

    return app


def test_serves_on_an_ephemeral_loopback_port():
    server = SimulatorServer(_hello_app()).start()
    try:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert requests.get(server.url + "/hello", timeout=5).json() == {"hello": "world"}
    finally:
        server.stop()


def test_context_manager_stops_and_the_port_then_refuses_connections():
    with SimulatorServer(_hello_app()) as server:
        url = server.url
        assert server.running
        assert requests.get(url + "/hello", timeout=5).status_code == 200
    assert not server.running
    assert server.url == url  # still known after stop, to point clients at a dead port
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/hello", timeout=5)


def test_stop_also_cuts_pooled_keep_alive_connections():
    server = SimulatorServer(_hello_app()).start()
    with requests.Session() as http:
        assert http.get(server.url + "/hello", timeout=5).status_code == 200
        server.stop()
        with pytest.raises(requests.ConnectionError):
            http.get(server.url + "/hello", timeout=5)


def test_stop_is_idempotent_and_start_twice_is_an_error():
    server = SimulatorServer(_hello_app()).start()
    with pytest.raises(RuntimeError):
        server.start()
    server.stop()
    server.stop()


def test_url_before_start_is_an_error():
    with pytest.raises(RuntimeError):
        _ = SimulatorServer(_hello_app()).url


def test_no_access_log_lines(capfd):
    with SimulatorServer(_hello_app()) as server:
        requests.get(server.url + "/hello", timeout=5)
    captured = capfd.readouterr()
    assert "GET /hello" not in captured.err + captured.out
