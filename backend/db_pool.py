"""Checking a pooled PostgreSQL connection before a request uses it, without a round trip when
it can be avoided.

Why: `pool_pre_ping` sends `SELECT 1` on every checkout — one of the six or so round trips of a
typical API request. A server that closed the connection (restart, failover, PgBouncer, an idle
kill) has sent a last message or EOF, so the socket is readable while no query is running: a
zero-timeout poll sees it for free and the pool opens a new connection instead. Only a connection
that lay idle longer than `PING_AFTER_IDLE_SECONDS`, long enough to have been dropped silently
by a firewall, still gets the `SELECT 1`.
"""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

PING_AFTER_IDLE_SECONDS = 10.0
_RETURNED_AT = "frontdoor.returned_at"


def _server_hung_up(dbapi_connection: Any) -> bool:
    """True when the server has closed or is closing this idle connection."""
    if dbapi_connection.closed:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def check_on_checkout(engine: Engine) -> None:
    """Install the check on `engine`'s pool (PostgreSQL; other databases keep pre-ping)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None:  # a connection opened for this checkout
            return
        if _server_hung_up(dbapi_connection):
            raise exc.DisconnectionError("the server closed this pooled connection")
        if time.monotonic() - returned_at > PING_AFTER_IDLE_SECONDS:
            try:
                dialect.do_ping(dbapi_connection)
            except dialect.loaded_dbapi.Error as error:
                raise exc.DisconnectionError(f"pooled connection failed its ping: {error}") \
                    from error
