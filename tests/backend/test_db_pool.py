"""A pooled connection the server closed is never handed to a request (backend/db_pool.py):
the pool sees the closed socket and opens a new connection, so the request is served."""

from __future__ import annotations

import time

import psycopg
from sqlalchemy import text

from backend.extensions import db
from tests.conftest import DATABASE_URL, make_app


def _terminate_and_wait(pid: int) -> None:
    with psycopg.connect(DATABASE_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 60
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            if time.monotonic() > deadline:
                raise AssertionError(f"backend {pid} did not end within 60 s")
            time.sleep(0.05)


def test_a_request_after_the_server_closed_its_pooled_connection_is_served(simulators, app):
    fresh = make_app(simulators)  # its own pool, so the one idle connection is the one closed
    with fresh.app_context():
        with db.engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert db.engine.pool.checkedin() == 1
        _terminate_and_wait(pid)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid

    response = fresh.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["database"] == "ok"


def test_a_busy_connection_is_reused_without_a_ping(simulators, app):
    """A connection back in the pool a moment ago is handed out as it is: the same backend
    serves the next request, and no ping (`SELECT 1`, which would have begun a transaction)
    was sent first."""
    fresh = make_app(simulators)
    with fresh.app_context():
        with db.engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect() as conn:
            before = conn.connection.dbapi_connection.pgconn.transaction_status
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
        assert before == psycopg.pq.TransactionStatus.IDLE  # no ping opened a transaction
