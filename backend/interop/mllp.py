"""An MLLP (Minimal Lower Layer Protocol) server: HL7 v2 over TCP, one ACK per message.

Each message arrives framed as <VT> message <FS><CR>. A thread per connection reads frames,
hands the bytes to `handler` (which stores the message and returns the framed ACK) and writes
the ACK back before reading the next message, so a sender that waits for each ACK (as LIS
interfaces do) never loses a message: no ACK, no delivery, and it sends again. Frames larger
than `max_bytes` are refused and the connection closed; idle connections time out; peers not
in the allow-list are closed at once.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

log = logging.getLogger(__name__)
START, END = b"\x0b", b"\x1c\x0d"
MAX_MESSAGE_BYTES = 1_048_576
IDLE_TIMEOUT_SECONDS = 300


class FrameTooLarge(Exception):
    pass


def read_frames(sock: socket.socket, max_bytes: int = MAX_MESSAGE_BYTES):
    """Yield each framed message's bytes; bytes outside a frame are discarded (as MLLP says)."""
    buffer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        buffer += chunk
        while True:
            start = buffer.find(START)
            if start < 0:
                buffer = b""
                break
            end = buffer.find(END, start)
            if end < 0:
                buffer = buffer[start:]
                if len(buffer) > max_bytes:
                    raise FrameTooLarge()
                break
            yield buffer[start + 1:end]
            buffer = buffer[end + len(END):]


def parse_peers(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip(), strict=False)
            for part in text.split(",") if part.strip()]


class MllpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Callable[[bytes], bytes],
                 refuse: Callable[[str], bytes], allowed_peers: str = "",
                 connection: Callable[[], AbstractContextManager] = nullcontext,
                 max_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.message_handler, self.refuse, self.connection = handler, refuse, connection
        self.allowed = parse_peers(allowed_peers)
        self.max_bytes = max_bytes
        super().__init__(address, _Connection)
        # Processes forked to share this socket all wake for a new connection; the ones that
        # lose the race must not block in accept(), or they never see a shutdown request.
        self.socket.setblocking(False)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def allows(self, host: str) -> bool:
        return not self.allowed or any(ipaddress.ip_address(host) in net for net in self.allowed)

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="mllp", daemon=True)
        thread.start()
        return thread


class _Connection(socketserver.BaseRequestHandler):
    server: MllpServer

    def handle(self) -> None:
        peer = self.client_address[0]
        if not self.server.allows(peer):
            log.warning("mllp connection refused: peer not allowed", extra={"peer": peer})
            return
        self.request.settimeout(IDLE_TIMEOUT_SECONDS)
        try:
            with self.server.connection():
                for raw in read_frames(self.request, self.server.max_bytes):
                    self.request.sendall(self.server.message_handler(raw))
        except FrameTooLarge:
            log.error("mllp frame too large; connection closed", extra={"peer": peer})
            self.request.sendall(self.server.refuse("消息超过大小上限"))
        except TimeoutError:
            log.info("mllp connection idle; closed", extra={"peer": peer})
        except OSError as exc:
            log.info("mllp connection ended", extra={"peer": peer, "error": str(exc)})
