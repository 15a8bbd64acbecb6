"""The hottest SELECTs (a request's session, a 就诊人 read, a hold's start) run on the driver's
cursor, with SQLAlchemy's own conversions of every parameter and column.

Why: for these statements SQLAlchemy's execution layer cost several times the driver's work,
mostly building the result's metadata from psycopg's cursor description on every execution
(measured: a session lookup took 157 µs of thread CPU through Core, 26 µs on the cursor). The
statement is still written in Core and compiled by SQLAlchemy, once per dialect; each column's
value goes through the same result processor (UTC datetimes, SM4 decryption) and each
parameter through the same bind processor as on Core's path. Other databases than PostgreSQL
(SQLite in the demo) run the statement through Core. A driver error is raised as the driver's
(these are reads in a transaction that the error ends anyway; the pool discards a dead
connection at checkin or at its next checkout, `db_pool.py`).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect

from backend.extensions import db


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]  # every parameter, with the values written into the statement
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # parameters that need converting
    columns: tuple[Callable[[Any], Any] | None, ...]  # each column's result processor


class DriverSelect:
    """A Core SELECT with its rows fetched straight from the driver on PostgreSQL."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None
        # Rows as named tuples, like Core's (`row.kind`, `row[0]`, `row[-1]`).
        self._row = namedtuple("Row", [c.key for c in statement.selected_columns],
                               rename=True)._make

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds = []
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds.append((name, process))
        columns = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in self.statement.selected_columns)
        return _Compiled(compiled.string, compiled.construct_params(_check=False), tuple(binds),
                         columns)

    def rows(self, params: dict[str, Any]) -> list[tuple]:
        """Every row, as named tuples in the statement's column order."""
        connection = db.session.connection()  # the session's transaction, begun if need be
        if connection.dialect.name != "postgresql":
            return [self._row(row) for row in connection.execute(self.statement, params)]
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile(connection.dialect)
        values = {**compiled.defaults, **params}
        for name, process in compiled.binds:
            values[name] = process(values[name])
        cursor = connection.connection.driver_connection.cursor()
        try:
            fetched = cursor.execute(compiled.sql, values).fetchall()
        finally:
            cursor.close()
        processors = compiled.columns
        return [self._row(value if process is None else process(value)
                          for value, process in zip(row, processors, strict=True))
                for row in fetched]

    def one_or_none(self, params: dict[str, Any]) -> tuple | None:
        rows = self.rows(params)
        if len(rows) > 1:
            raise ValueError("more than one row where at most one was expected")
        return rows[0] if rows else None
