"""The MLLP server shared by forked listener processes."""

from __future__ import annotations

import threading

from backend.interop.mllp import MllpServer


def test_a_process_that_loses_the_race_for_a_connection_goes_back_to_its_loop():
    """Every process sharing the socket wakes for a new connection and only one accepts it.
    The others must return to their loop (where a shutdown request is seen) rather than block
    in accept() until some later connection: a blocked one kept `hl7 listen --processes N`
    from stopping on SIGTERM."""
    server = MllpServer(("127.0.0.1", 0), handler=lambda raw: b"", refuse=lambda reason: b"")
    returned = threading.Event()

    def lose_the_race() -> None:
        server._handle_request_noblock()  # what serve_forever does once the socket is readable
        returned.set()

    try:
        threading.Thread(target=lose_the_race, daemon=True).start()
        assert returned.wait(10), "accept() blocked with no connection waiting"
    finally:
        server.server_close()
