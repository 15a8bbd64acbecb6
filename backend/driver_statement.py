"""The hottest statements (a request's session, a 就诊人 read, a hold's start, its take of a place,
its booking and audit rows) run on the driver's cursor, with SQLAlchemy's own conversions of
every parameter and column.

Why: for these statements SQLAlchemy's execution layer cost several times the driver's work,
mostly building the result's metadata from psycopg's cursor description on every execution
(measured: a session lookup took 157 µs of thread CPU through Core, 26 µs on the cursor). The
statement is still written in Core and compiled by SQLAlchemy, once per dialect (an `IN` list
of fixed values expanded then too); each column's value goes through the same result processor
(UTC datetimes, SM4 decryption) and each parameter through the same bind processor as on Core's
path. An INSERT is compiled for the columns it is given (`columns`): it must be given every
column with a Python-side default, since no execution context computes them here. Other
databases than PostgreSQL (SQLite in the demo) run the statement through Core. A driver error
is raised as SQLAlchemy's for it (`IntegrityError` for a unique violation, as through Core;
the transaction it ends is rolled back by the caller; the pool discards a dead connection at
checkin or at its next checkout, `db_pool.py`).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from backend.extensions import db


def _execute(cursor: psycopg.Cursor, sql: str, values: dict[str, Any]) -> psycopg.Cursor:
    try:
        return cursor.execute(sql, values)
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, values, exc, psycopg.Error) from exc


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]  # parameters written into the statement, already converted
    binds: dict[str, Callable[[Any], Any]]  # parameters that need converting
    columns: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, result processor)


class DriverStatement:
    """A Core SELECT, or an INSERT/UPDATE (with or without RETURNING), run straight on the
    driver on PostgreSQL."""

    def __init__(self, statement: Select | UpdateBase,
                 columns: Iterable[str] | None = None) -> None:
        self.statement = statement
        self._column_keys = list(columns) if columns is not None else None
        self._compiled: _Compiled | None = None
        selected = (statement.selected_columns if isinstance(statement, Select)
                    else statement.exported_columns)
        self._selected = list(selected)
        # Rows as named tuples, like Core's (`row.kind`, `row[0]`, `row[-1]`).
        self._row = namedtuple("Row", [c.key for c in self._selected], rename=True)._make

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect, column_keys=self._column_keys)
        # Expands an IN list of fixed values into one parameter each, with their processors.
        state = compiled.construct_expanded_state(compiled.construct_params(_check=False))
        binds = dict(state.processors)  # the expanded parameters'
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds[name] = process
        given = {name for name, bind in compiled.binds.items() if bind.required}
        defaults = {name: binds[name](value) if name in binds else value
                    for name, value in state.parameters.items() if name not in given}
        columns = tuple(
            (at, process) for at, process in enumerate(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self._selected) if process is not None)
        return _Compiled(state.statement, defaults, binds, columns)

    def _ready(self, connection) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile(connection.dialect)
        return compiled

    @staticmethod
    def _values(compiled: _Compiled, params: dict[str, Any]) -> dict[str, Any]:
        values, binds = {**compiled.defaults, **params}, compiled.binds
        for name, value in params.items():
            process = binds.get(name)
            if process is not None:
                values[name] = process(value)
        return values

    def rows(self, params: dict[str, Any], session: Session | None = None) -> list[tuple]:
        """Every row, as named tuples in the statement's column order; on the connection of
        `session` (default: the request's), in its transaction, begun if need be."""
        connection = (session or db.session).connection()
        if connection.dialect.name != "postgresql":
            return [self._row(row) for row in connection.execute(self.statement, params)]
        compiled = self._ready(connection)
        cursor = connection.connection.driver_connection.cursor()
        try:
            fetched = _execute(cursor, compiled.sql, self._values(compiled, params)).fetchall()
        finally:
            cursor.close()
        processors, make = compiled.columns, self._row
        if not processors:
            return [make(row) for row in fetched]
        rows = []
        for row in fetched:
            values = list(row)
            for at, process in processors:
                values[at] = process(values[at])
            rows.append(make(values))
        return rows

    def one(self, params: dict[str, Any]) -> tuple:
        row = self.one_or_none(params)
        if row is None:
            raise ValueError("no row where one was expected")
        return row

    def one_or_none(self, params: dict[str, Any]) -> tuple | None:
        rows = self.rows(params)
        if len(rows) > 1:
            raise ValueError("more than one row where at most one was expected")
        return rows[0] if rows else None

    def run(self, params: dict[str, Any], session: Session | None = None) -> None:
        """Run a statement that returns no rows (an INSERT without RETURNING)."""
        connection = (session or db.session).connection()
        if connection.dialect.name != "postgresql":
            connection.execute(self.statement, params)
            return
        compiled = self._ready(connection)
        cursor = connection.connection.driver_connection.cursor()
        try:
            _execute(cursor, compiled.sql, self._values(compiled, params))
        finally:
            cursor.close()
