"""Serve a WSGI app (a simulator) on loopback from a daemon thread."""

from __future__ import annotations

import socket
import threading
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _ConnectionRegistry:
    """The sockets a server is currently serving, so `stop()` can cut keep-alive connections
    (a client's pooled connection would otherwise still be answered after shutdown)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def discard(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def close_all(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per request (errors are still logged by werkzeug)."""

    def setup(self) -> None:
        super().setup()
        registry = getattr(self.server, "simulator_connections", None)
        if registry is not None:
            registry.add(self.connection)

    def finish(self) -> None:
        registry = getattr(self.server, "simulator_connections", None)
        if registry is not None:
            registry.discard(self.connection)
        super().finish()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SimulatorServer:
    """Runs a WSGI `app` on `host:port` (port 0 picks a free ephemeral port) until `stop()`.

        with SimulatorServer(create_wechat_simulator({...})) as server:
            client = WeChatMiniProgram(..., api_base_url=server.url + "/")
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0,
                 sock: socket.socket | None = None) -> None:
        """`sock`: an already bound and listening socket to serve on (then `port` is its)."""
        self.app = app
        self.host = host
        self._sock = sock
        self._requested_port = sock.getsockname()[1] if sock is not None else port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    def start(self) -> SimulatorServer:
        if self._server is not None:
            raise RuntimeError("simulator server already started")
        server = make_server(
            self.host, self._requested_port, self.app, threaded=True,
            request_handler=_QuietRequestHandler,
            fd=self._sock.fileno() if self._sock is not None else None,
        )
        if self._sock is not None:
            self._sock.close()  # the server holds its own duplicate
        port = server.socket.getsockname()[1]
        server.simulator_connections = _ConnectionRegistry()  # type: ignore[attr-defined]
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"simulator-{port}", daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        self._port = port
        return self

    @property
    def port(self) -> int:
        """The bound port; still answers after `stop()` (handy to point a client at a dead port)."""
        if self._port is None:
            raise RuntimeError("simulator server never started")
        return self._port

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:54321."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        """Stop serving and close the listening socket: later connections are refused."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        server.simulator_connections.close_all()  # type: ignore[attr-defined]
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self if self.running else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
