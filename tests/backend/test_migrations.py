"""Alembic migrations build the same schema as the models, on PostgreSQL and on SQLite."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from backend.extensions import db
from tests.conftest import make_app


def test_postgresql_schema_matches_the_models(ctx):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_migrations_run_on_sqlite(simulators, tmp_path):
    app = make_app(simulators, DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}", REDIS_URL="")
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        upgrade()  # a second run is a no-op
        db.engine.dispose()
