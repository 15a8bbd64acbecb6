"""Shared fixtures: real PostgreSQL and Redis, the vendor simulators over loopback HTTP.

The schema is built once per run by the Alembic migrations (so they are tested too); every test
then starts from empty tables and an empty Redis database.
"""

from __future__ import annotations

import contextvars
import os
import tempfile
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from backend.app import create_app
from backend.demo.runner import start_simulators
from backend.extensions import db

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
# Signed audit checkpoints live outside the database; each test starts without any, like its
# empty tables.
AUDIT_CHECKPOINT_PATH = str(Path(tempfile.gettempdir()) /
                            f"frontdoor-test-audit-{os.getpid()}.jsonl")


@pytest.fixture(scope="session")
def simulators():
    running = start_simulators()
    yield running
    running.stop()


def make_app(simulators, **overrides):
    config = {
        "FRONTDOOR_ENV": "test",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_DEFAULT": "100000 per minute",
        "RATELIMIT_LOGIN": "100000 per minute",
        "RATELIMIT_MESSAGES": "100000 per minute",
        "LOG_LEVEL": "WARNING",
        "AUDIT_CHECKPOINT_PATH": AUDIT_CHECKPOINT_PATH,
        **simulators.config,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(simulators):
    app = make_app(simulators)
    with app.app_context():
        _reset_schema()
        upgrade()
    return app


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _truncate_all() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(
            "TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty tables and Redis before each test that uses the app."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        _truncate_all()
        db.session.remove()
    redis.Redis.from_url(REDIS_URL).flushdb()
    Path(AUDIT_CHECKPOINT_PATH).unlink(missing_ok=True)
    yield


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context and database
    session, never the test's (whose objects would otherwise leak into the request)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture()
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()
